// The generic provider: a small JSON contract any hosting provider can implement
// (docs/provider-http.md). GET {base}/accounts/{email} with a bearer token.
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { apiMessage, requestJson } from './json-request.js';
import { ProviderError, type AccountLookup, type AccountPhase, type AccountProvider, type AccountState } from './provider.js';
import { IP_FLAGS, ipRestrictionsOf, LEGACY_FLAG_PROTOCOLS, legacyFlagOf } from './auth-restrictions.js';

/** Our protocol names a policy may block legacy (Basic) authentication for (docs/provider-http.md). */
const LEGACY_PROTOCOLS = Object.values(LEGACY_FLAG_PROTOCOLS) as [string, ...string[]];

export interface HttpProviderOptions {
  /** Base URL, e.g. https://provider.example/v1 */
  baseUrl: string;
  /** Bearer token; never logged nor put in evidence. */
  token?: string;
  http: Dispatcher;
  now?: () => number;
}

const hostName = z.string().min(1).transform((s) => s.replace(/\.$/, '').toLowerCase());

export const httpAccountSchema = z.object({
  email: z.string(),
  state: z.enum(['active', 'suspended', 'provisioning', 'deleting', 'migrating']),
  expiresAt: z.string().nullish(),
  spamBlocked: z.boolean().default(false),
  spamTicket: z.string().nullish(),
  locked: z.boolean().default(false),
  lockedUntil: z.string().nullish(),
  disabledProtocols: z.array(z.string().transform((s) => s.toLowerCase())).default([]),
  server: hostName.nullish(),
  expectedMx: z.array(hostName).nullish(),
  lockoutPolicy: z.object({ threshold: z.number().int().nullish(), durationMinutes: z.number().nullish() }).nullish(),
  /** The authentication policy that applies to the account: the protocols whose Basic authentication it blocks. */
  authenticationPolicy: z.object({
    id: z.union([z.string(), z.number()]).transform(String).nullish(),
    legacyAuthBlocked: z.array(z.string().transform((s) => s.toLowerCase()).pipe(z.enum(LEGACY_PROTOCOLS))).default([]),
  }).nullish(),
  /** The service's authorised IPs: each block with the protocols it may use (same semantics as OVHcloud's). */
  authorizedIps: z.array(z.object({
    ip: z.string().min(1),
    status: z.enum(['ok', 'creating', 'deleting']).default('ok'),
    protocols: z.array(z.enum(IP_FLAGS)).default([]),
  })).nullish(),
});
export type HttpAccount = z.output<typeof httpAccountSchema>;

/** Every `state` of the contract has a phase (docs/provider-http.md). */
const PHASES: Record<HttpAccount['state'], AccountPhase> = {
  active: 'active', suspended: 'suspended', provisioning: 'creating', deleting: 'deleting', migrating: 'migrating',
};

/** Maps the contract's document onto the provider-neutral account state. */
export function mapHttpAccount(a: HttpAccount, now: number): AccountState {
  const expiry = a.expiresAt ? Date.parse(a.expiresAt) : NaN;
  return {
    state: a.state,
    phase: PHASES[a.state],
    expired: Number.isFinite(expiry) && expiry < now,
    expirationDate: a.expiresAt ?? undefined,
    spamBlocked: a.spamBlocked,
    spamTicketNumber: a.spamTicket ?? undefined,
    locked: a.locked,
    lockedUntil: a.lockedUntil ?? undefined,
    lockoutPolicy: a.lockoutPolicy
      ? { threshold: a.lockoutPolicy.threshold ?? undefined, durationMinutes: a.lockoutPolicy.durationMinutes ?? undefined }
      : undefined,
    disabledProtocols: a.disabledProtocols,
    server: a.server ?? undefined,
    expectedMx: a.expectedMx ?? undefined,
    authPolicy: a.authenticationPolicy
      ? { ...(a.authenticationPolicy.id ? { id: a.authenticationPolicy.id } : {}), source: 'account', legacyAuthBlocked: a.authenticationPolicy.legacyAuthBlocked, flags: a.authenticationPolicy.legacyAuthBlocked.map((p) => legacyFlagOf(p)!) }
      : undefined,
    ipRestrictions: a.authorizedIps ? ipRestrictionsOf(a.authorizedIps.map((e) => ({ ip: e.ip, status: e.status, flags: e.protocols }))) : undefined,
  };
}

export function createHttpProvider(opts: HttpProviderOptions): AccountProvider {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const now = opts.now ?? Date.now;
  return {
    name: 'http',
    async lookup(email, signal): Promise<AccountLookup> {
      const url = `${base}/accounts/${encodeURIComponent(email).replace(/%40/g, '@')}`;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      const res = await requestJson(opts.http, url, { headers, signal, what: 'provider account lookup' });
      const evidence = { provider: 'http', url, status: res.status, ms: res.ms };
      if (res.status === 404) return { found: false, evidence };
      if (res.status !== 200) {
        throw new ProviderError(`provider answered HTTP ${res.status}${apiMessage(res.body) ? `: ${apiMessage(res.body)}` : ''}`, evidence);
      }
      const parsed = httpAccountSchema.safeParse(res.body);
      if (!parsed.success) {
        const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        throw new ProviderError(`provider answer does not follow the contract (${where})`, evidence);
      }
      return { found: true, account: mapHttpAccount(parsed.data, now()), evidence };
    },
  };
}
