// Webhooks are URLs chosen by customers: without a policy they would let anyone make the service
// call its own Redis, the cloud metadata endpoint or the private network (SSRF). The policy is
// applied twice: on the URL when a request names one (syntax, scheme, IP literals) and on the
// address actually connected to, after name resolution, so DNS tricks cannot get around it.
import { lookup as systemLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { checkAddress, forbiddenAddressReason, matchesAllowlist, parseIp } from '../net/address-policy.js';
import type { Agent } from 'undici';
import { createEgressGuard } from '../net/egress.js';
import { createGuardedAgent } from '../net/http-agent.js';

export { checkAddress, forbiddenAddressReason, parseIp };

export interface EgressPolicy {
  /** Plain http:// is accepted (lab, internal deployments). */
  allowHttp: boolean;
  /** Host names (exact or `*.suffix`), IPs and CIDRs that may be reached although not public. */
  allowlist: string[];
}

export type UrlVerdict = { ok: true } | { ok: false; reason: string };

/** Error raised when a connection is refused by the policy (`code` is stable). */
export class EgressForbiddenError extends Error {
  override name = 'EgressForbiddenError';
  readonly code = 'WEBHOOK_URL_FORBIDDEN';
  constructor(message: string, readonly address?: string) {
    super(message);
  }
}

/** Accepts the config object itself (WEBHOOK_ALLOW_HTTP / WEBHOOK_ALLOWLIST) or a policy. */
export function egressPolicy(config: { WEBHOOK_ALLOW_HTTP: boolean; WEBHOOK_ALLOWLIST: string[] } | EgressPolicy): EgressPolicy {
  return 'allowlist' in config ? config : { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowlist: config.WEBHOOK_ALLOWLIST };
}

/**
 * Validates a webhook URL before it is accepted (POST /v1/diagnostics): syntax, scheme, no
 * credentials, and literal IPs. Names are only resolved at delivery time (they may change).
 */
export function validateWebhookUrl(url: string, config: Parameters<typeof egressPolicy>[0]): UrlVerdict {
  const policy = egressPolicy(config);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: 'not a valid absolute URL' };
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && policy.allowHttp)) {
    return { ok: false, reason: policy.allowHttp ? 'the scheme must be https or http' : 'the scheme must be https' };
  }
  if (u.username || u.password) return { ok: false, reason: 'credentials in the URL are not accepted' };
  if (!u.hostname) return { ok: false, reason: 'the URL has no host' };
  if (url.length > 2048) return { ok: false, reason: 'the URL is longer than 2048 characters' };
  // WHATWG URL parsing already turned 0x7f.1 / 2130706433 into 127.0.0.1; parseIp also handles the rest.
  const ip = parseIp(u.hostname);
  if (ip) return checkAddress(policy, ip.toString(), u.hostname);
  const host = u.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return matchesAllowlist(policy, host, undefined) ? { ok: true } : { ok: false, reason: `${host} is a loopback name` };
  }
  return { ok: true };
}

type LookupAll = (host: string, cb: (err: NodeJS.ErrnoException | null, addrs: Array<{ address: string; family: number }>) => void) => void;
const systemLookupAll: LookupAll = (host, cb) => systemLookup(host, { all: true, verbatim: true }, cb);

/**
 * A `net.connect` lookup that resolves with `resolve` (the system resolver by default) and refuses
 * the connection when any answer is not allowed — the socket then connects to exactly the
 * addresses checked here, so there is no window between check and use.
 */
export function guardedLookup(policy: EgressPolicy, resolve: LookupAll = systemLookupAll): LookupFunction {
  return ((hostname: string, options: unknown, callback: (...a: unknown[]) => void) => {
    const cb = typeof options === 'function' ? (options as typeof callback) : callback;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    resolve(hostname, (err, addrs) => {
      if (err) return cb(err);
      if (!addrs.length) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
      for (const a of addrs) {
        const v = checkAddress(policy, a.address, hostname);
        if (!v.ok) return cb(new EgressForbiddenError(`webhook egress refused: ${v.reason}`, a.address));
      }
      return all ? cb(null, addrs) : cb(null, addrs[0].address, addrs[0].family);
    });
  }) as LookupFunction;
}

export interface EgressAgentOptions {
  policy: EgressPolicy;
  /** Connect + headers + body timeout, ms. */
  timeoutMs: number;
  /** Name resolution (defaults to the system resolver: customers' endpoints are on the internet). */
  resolve?: LookupAll;
}

/**
 * An undici dispatcher that only connects where the policy allows: the same guarded agent as the
 * checks' (net/http-agent.ts), with the system resolver and this module's error.
 */
export function createEgressAgent(opts: EgressAgentOptions): Agent {
  return createGuardedAgent({
    guard: createEgressGuard(opts.policy),
    lookup: guardedLookup(opts.policy, opts.resolve),
    timeoutMs: opts.timeoutMs,
    refusalError: (reason, address) => new EgressForbiddenError(`webhook egress refused: ${reason}`, address),
  });
}
