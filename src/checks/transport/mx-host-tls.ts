// What a sending MTA meets on one MX host: is STARTTLS offered on the SMTP port, does the
// certificate verify for the MX name (chain, name, dates), which TLS version. Read with the
// credential-free inspector (net/tls-inspect.ts, mode 'smtp'): EHLO, STARTTLS, handshake, close.
import type { CheckContext } from '../../diagnostics/types.js';
import type { Net } from '../../net/index.js';
import type { CertSummary, TlsInspection } from '../../net/tls-inspect.js';
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
  /** The inspection was shared with another recent run of this process (SHARED_FOR_MS). */
  shared?: boolean;
}

const UNREACHABLE = /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ETIMEDOUT|EADDRNOTAVAIL|timeout|aborted|EGRESS_FORBIDDEN)/;

/**
 * A thousand diagnostics of one domain at once must not become a thousand TLS handshakes with its
 * MX: one inspection per (address, port, name) is shared by concurrent and recent runs of this
 * process (keyed by the run's Net), for a short while. Failures of ours (timeout, abort) are not kept.
 */
const SHARED_FOR_MS = 30_000;
const MAX_SHARED = 1000;
type Inspection = TlsInspection | { error: string };
const shared = new WeakMap<Net, Map<string, { at: number; value: Promise<Inspection> }>>();

function inspectShared(net: Net, now: number, o: Parameters<Net['inspectTls']>[0]): { value: Promise<Inspection>; shared: boolean } {
  let cache = shared.get(net);
  if (!cache) shared.set(net, (cache = new Map()));
  const key = `${o.address}|${o.port}|${o.servername}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < SHARED_FOR_MS) return { value: hit.value, shared: true };
  // No caller's signal: the inspection is bounded by its own timeout and may serve several runs.
  const value = net.inspectTls({ ...o, signal: undefined });
  cache.set(key, { at: now, value });
  void value.then((v) => { if ('error' in v && /^(timeout|aborted)/.test(v.error)) cache.delete(key); });
  if (cache.size > MAX_SHARED) for (const [k, e] of cache) if (now - e.at >= SHARED_FOR_MS || cache.size > MAX_SHARED) cache.delete(k);
  return { value, shared: false };
}

/** TLS facts of one MX host; never throws (an unreachable host is an outcome, not an error). */
export async function inspectMxHost(ctx: CheckContext, host: string, priority: number, timeoutMs: number): Promise<HostTls> {
  const base = { host, priority, problems: [] as string[] };
  const resolved = await ctx.deps.net.resolveHost(host);
  if (!resolved.ok) {
    return { ...base, outcome: 'unreachable', error: resolved.reason === 'error' ? resolved.error ?? 'DNS error' : `${host} does not resolve (${resolved.reason})` };
  }
  const { heloName, mxPort, tlsExpiringDays } = ctx.deps.settings;
  const inspection = inspectShared(ctx.deps.net, ctx.deps.now(), { address: resolved.address, port: mxPort, servername: host, mode: 'smtp', heloName, timeoutMs });
  const got = await inspection.value;
  const at = { ...base, address: resolved.address, ...(inspection.shared ? { shared: true } : {}) };
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
