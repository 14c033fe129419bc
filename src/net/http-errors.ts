// Sorts a failed HTTPS exchange into what it means for the user: the name does not resolve,
// nothing answers, the certificate is not trustworthy, or we gave up waiting.
import { TLS_ERROR_CODES } from './tls-codes.js';
export type TransportFailure = 'dns' | 'refused' | 'timeout' | 'tls' | 'reset' | 'aborted' | 'other';

/** Verification codes, plus EPROTO that undici reports for a failed handshake. */
const TLS_CODES = new Set([...TLS_ERROR_CODES, 'EPROTO']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'NXDOMAIN', 'ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED_DNS', 'EREFUSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export interface ClassifiedError {
  kind: TransportFailure;
  /** Machine code of the underlying error (e.g. CERT_HAS_EXPIRED). */
  code: string;
  message: string;
}

export function classifyTransportError(err: unknown): ClassifiedError {
  const e = err as { code?: string; name?: string; message?: string; cause?: unknown; hostname?: string };
  const cause = e?.cause as { code?: string; message?: string } | undefined;
  const code = String(e?.code ?? cause?.code ?? e?.name ?? 'ERROR');
  const message = String(e?.message ?? err);
  if (e?.name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED') return { kind: 'aborted', code, message };
  if (TLS_CODES.has(code) || /certificate|self[- ]signed|altnames/i.test(message)) return { kind: 'tls', code, message };
  // Our lookup (diagnostics/dns.ts) reports the resolver's code and names the host.
  if (DNS_CODES.has(code) || /DNS lookup of/.test(message) || e?.hostname) return { kind: 'dns', code, message };
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { kind: 'refused', code, message };
  if (TIMEOUT_CODES.has(code)) return { kind: 'timeout', code, message };
  if (RESET_CODES.has(code)) return { kind: 'reset', code, message };
  return { kind: 'other', code, message };
}
