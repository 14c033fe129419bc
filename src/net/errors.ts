// Sorts the errors that socket, TLS, SMTP and IMAP clients raise into what they mean for a check:
// the server could not be reached, its certificate is not valid, or something else went wrong.
// Node, nodemailer and ImapFlow each wrap errors differently, so the whole cause chain is read.
import { TLS_ERROR_CODES as TLS_CODES } from './tls-codes.js';

export type NetErrorKind = 'tls' | 'unreachable' | 'timeout' | 'forbidden' | 'other';

export interface NetErrorInfo {
  kind: NetErrorKind;
  /** The most specific code found in the chain (e.g. CERT_HAS_EXPIRED, ECONNREFUSED). */
  code?: string;
  message: string;
}


const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EADDRNOTAVAIL', 'ECONNECTION', 'ESOCKET', 'EDNS', 'NoConnection', 'EConnectionClosed', 'ClosedAfterConnectTLS',
  'ClosedAfterConnectText', 'ECONNABORTED',
]);

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ESOCKETTIMEDOUT']);

/** Error codes and messages along `cause`, `_err`, `originalCode` (nodemailer), most specific of each error first. */
export function errorChain(err: unknown): Array<{ code?: string; message: string }> {
  const out: Array<{ code?: string; message: string }> = [];
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && !seen.has(cur) && out.length < 8) {
    seen.add(cur);
    const e = cur as { code?: unknown; originalCode?: unknown; message?: unknown; cause?: unknown; _err?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(cur);
    // nodemailer replaces a system error's code with its own category and keeps the original aside.
    if (typeof e.originalCode === 'string') out.push({ code: e.originalCode, message });
    out.push({ code: typeof e.code === 'string' ? e.code : undefined, message });
    cur = e.cause ?? e._err;
  }
  if (!out.length) out.push({ message: String(err) });
  return out;
}

const TLS_TEXT = /certificate|self[- ]signed|altname|hostname\/ip does not match|ssl|tls handshake/i;
const TLS_CODE_IN_TEXT = /\b(CERT_[A-Z_]+|ERR_TLS_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_[A-Z_]+)\b/;

export function classifyNetError(err: unknown): NetErrorInfo {
  const chain = errorChain(err);
  const message = chain[0].message;
  const forbidden = chain.find((c) => c.code === 'EGRESS_FORBIDDEN');
  if (forbidden) return { kind: 'forbidden', code: forbidden.code, message: forbidden.message };
  for (const { code } of chain) if (code && TLS_CODES.has(code)) return { kind: 'tls', code, message };
  for (const { message: m } of chain) {
    const inText = TLS_CODE_IN_TEXT.exec(m);
    if (inText) return { kind: 'tls', code: inText[1], message };
  }
  // nodemailer wraps a failed handshake as ETLS; ImapFlow marks it tlsFailed.
  if ((err as { tlsFailed?: boolean })?.tlsFailed || chain.some((c) => c.code === 'ETLS') || chain.some((c) => TLS_TEXT.test(c.message) && !c.code)) {
    return { kind: 'tls', code: chain.find((c) => c.code && c.code !== 'ETLS')?.code ?? 'ETLS', message };
  }
  for (const { code } of chain) if (code && TIMEOUT_CODES.has(code)) return { kind: 'timeout', code, message };
  for (const { code } of chain) if (code && UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', code, message };
  if (/timed? ?out/i.test(message)) return { kind: 'timeout', code: chain.find((c) => c.code)?.code, message };
  return { kind: 'other', code: chain.find((c) => c.code)?.code, message };
}

// The same errors seen by an HTTP exchange: the name does not resolve, nothing answers, the
// certificate is not trustworthy, the egress policy refused the address, or we gave up waiting.
export type TransportFailure = 'dns' | 'refused' | 'timeout' | 'tls' | 'reset' | 'aborted' | 'forbidden' | 'other';

/** Verification codes, plus EPROTO that undici reports for a failed handshake. */
const HTTP_TLS_CODES = new Set([...TLS_CODES, 'EPROTO']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'NXDOMAIN', 'ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED_DNS', 'EREFUSED']);
const HTTP_TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
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
  if (code === 'EGRESS_FORBIDDEN') return { kind: 'forbidden', code, message };
  // Our own exchange budget (AbortSignal.timeout in net/http.ts) ran out: a slow server, not "other".
  if (e?.name === 'TimeoutError') return { kind: 'timeout', code: 'EXCHANGE_TIMEOUT', message };
  if (HTTP_TLS_CODES.has(code) || /certificate|self[- ]signed|altnames/i.test(message)) return { kind: 'tls', code, message };
  // Our lookup (net/dns.ts) reports the resolver's code and names the host.
  if (DNS_CODES.has(code) || /DNS lookup of/.test(message) || e?.hostname) return { kind: 'dns', code, message };
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { kind: 'refused', code, message };
  if (HTTP_TIMEOUT_CODES.has(code)) return { kind: 'timeout', code, message };
  if (RESET_CODES.has(code)) return { kind: 'reset', code, message };
  return { kind: 'other', code, message };
}
