// What a sending MTA meets on one MX host: is STARTTLS offered on the SMTP port, does the
// certificate verify for the MX name (chain, name, dates), which TLS version. Read with the
// credential-free inspector (net/tls-inspect.ts, mode 'smtp'): EHLO, STARTTLS, handshake, close.
import type { CheckContext } from '../../diagnostics/types.js';
import type { CertSummary } from '../../net/tls-inspect.js';
import { certExpiring, type CertExpiry } from '../tls-expiry.js';

/** Protocol versions below TLS 1.2 (RFC 8996 deprecates them; RFC 8461 §4.2 asks for 1.2+). */
const OLD_PROTOCOLS = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

export interface HostTls {
  host: string;
  priority: number;
  address?: string;
  /** What happened: TLS negotiated, no STARTTLS offered, or the host could not be reached/judged. */
  outcome: 'tls' | 'no-starttls' | 'handshake-failed' | 'unreachable';
  /** The certificate verified for the MX name (only when `outcome` is 'tls'). */
  valid?: boolean;
  /** Node's verdict when it did not: CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, … */
  certError?: string;
  protocol?: string | null;
  cert?: CertSummary;
  expiring?: CertExpiry;
  /** Why the host could not be judged, or the SMTP/TLS error met. */
  error?: string;
  /** What is wrong with this host's TLS, in words (empty when nothing is). */
  problems: string[];
}

const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ETIMEDOUT|EADDRNOTAVAIL|timeout|aborted|EGRESS_FORBIDDEN)/;

/** TLS facts of one MX host; never throws (an unreachable host is an outcome, not an error). */
export async function inspectMxHost(ctx: CheckContext, host: string, priority: number, timeoutMs: number): Promise<HostTls> {
  const base = { host, priority, problems: [] as string[] };
  const resolved = await ctx.deps.net.resolveHost(host);
  if (!resolved.ok) {
    return { ...base, outcome: 'unreachable', error: resolved.reason === 'error' ? resolved.error ?? 'DNS error' : `${host} does not resolve (${resolved.reason})` };
  }
  const { heloName, mxPort, tlsExpiringDays } = ctx.deps.settings;
  const got = await ctx.deps.net.inspectTls({
    address: resolved.address, port: mxPort, servername: host, mode: 'smtp', heloName, timeoutMs, signal: ctx.signal,
  });
  const at = { ...base, address: resolved.address };
  if ('error' in got) {
    if (got.error === 'server does not offer STARTTLS') {
      return { ...at, outcome: 'no-starttls', problems: [`${host} does not offer STARTTLS on port ${mxPort}: mail reaches it in clear text`] };
    }
    if (UNREACHABLE.test(got.error) || got.error.startsWith('smtp ')) return { ...at, outcome: 'unreachable', error: got.error };
    // The server offered STARTTLS, then the handshake failed (no common protocol or cipher, a broken certificate chain…).
    return {
      ...at, outcome: 'handshake-failed', error: got.error,
      problems: [`the TLS handshake with ${host} failed after STARTTLS (${got.error}): senders fall back to clear text, or do not deliver if a policy requires TLS`],
    };
  }
  const problems: string[] = [];
  if (!got.authorized) problems.push(`the certificate of ${host} is not valid for it (${got.authorizationError ?? 'not trusted'})`);
  if (got.protocol && OLD_PROTOCOLS.has(got.protocol)) problems.push(`${host} negotiates ${got.protocol}, older than TLS 1.2`);
  const expiring = got.authorized ? certExpiring(host, got.cert, ctx.deps.now(), tlsExpiringDays) : undefined;
  return {
    ...at, outcome: 'tls', valid: got.authorized, protocol: got.protocol ?? null,
    ...(got.authorizationError ? { certError: got.authorizationError } : {}),
    ...(got.cert ? { cert: got.cert } : {}),
    ...(expiring ? { expiring } : {}),
    problems,
  };
}

/** A host whose TLS a sender that validates (MTA-STS) accepts. */
export const tlsAcceptable = (h: HostTls) => h.outcome === 'tls' && h.valid === true && !(h.protocol && OLD_PROTOCOLS.has(h.protocol));
