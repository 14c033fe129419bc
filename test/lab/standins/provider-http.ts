// Generic HTTP provider stand-in (provider.lab.test, base /v1): the small contract written down in
// docs/provider-http.md, which any hosting provider can implement in front of its own systems.
import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { LAB_MX, LAB_SERVER, OVH, PROVIDER_HTTP_TOKEN, type ProviderState } from '../scenarios.js';
import { sendJson, segmentsUnder, type Site, type StandinRequest } from './http-util.js';
import { effectivePolicy, labAccount, serviceAuthorizedIps, serviceOfDomain } from './lab-accounts.js';

/** OVHcloud policy flag → the contract's protocol name (docs/provider-http.md). */
const LEGACY_NAMES: Record<string, string> = {
  blockLegacyAuthImap: 'imap', blockLegacyAuthWebServices: 'ews', blockLegacyAuthAutodiscover: 'autodiscover', blockLegacyAuthPop: 'pop',
  blockLegacyAuthActiveSync: 'activesync', blockLegacyAuthMapi: 'mapi', blockLegacyAuthOfflineAddressBook: 'oab',
};

const PROBLEM = 'application/problem+json';

/** The contract's `state` for each OVHcloud-style state word of the scenarios. */
const HTTP_STATES: Record<ProviderState['state'], string> = {
  ok: 'active', suspended: 'suspended', suspending: 'suspended', creating: 'provisioning', reopening: 'provisioning',
  deleting: 'deleting', internalMigration: 'migrating',
};

function problem(res: ServerResponse, status: number, title: string, code: string, detail: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { type: `https://provider.lab.test/problems/${code.toLowerCase().replace(/_/g, '-')}`, title, status, detail, code }, PROBLEM, headers);
}

function bearerOk(req: StandinRequest, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function providerHttpSite(opts: { now?: () => number } = {}): Site {
  const clock = opts.now ?? Date.now;
  return (req, res) => {
    const seg = segmentsUnder(req.path, '/v1');
    if (!seg || seg[0] !== 'accounts' || seg.length !== 2) return problem(res, 404, 'Not Found', 'NOT_FOUND', 'No such resource.');
    if (req.method !== 'GET') return problem(res, 405, 'Method Not Allowed', 'METHOD_NOT_ALLOWED', 'Only GET is defined.', { Allow: 'GET' });
    if (!bearerOk(req, PROVIDER_HTTP_TOKEN)) {
      return problem(res, 401, 'Unauthorized', 'UNAUTHORIZED', 'A valid bearer token is required.', { 'WWW-Authenticate': 'Bearer realm="provider.lab.test", error="invalid_token"' });
    }
    const now = clock();
    const a = labAccount(seg[1], now);
    if (!a) return problem(res, 404, 'Account not found', 'ACCOUNT_NOT_FOUND', `No account ${seg[1]} at this provider.`);
    const durationMinutes = OVH.lockout.lockoutDuration;
    sendJson(res, 200, {
      email: a.mailbox.address,
      state: HTTP_STATES[a.provider.state],
      expiresAt: a.provider.expirationDate ?? null,
      spamBlocked: a.provider.spamDetected === true,
      spamTicket: a.provider.spamTicketNumber ?? null,
      locked: a.locked,
      lockedUntil: a.locked ? new Date(now + durationMinutes * 60_000).toISOString() : null,
      disabledProtocols: a.disabledProtocols,
      server: LAB_SERVER,
      expectedMx: [...LAB_MX],
      lockoutPolicy: { threshold: OVH.lockout.lockoutThreshold, durationMinutes },
      // The same facts the OVHcloud stand-in serves, in the contract's shape.
      authenticationPolicy: (() => {
        const p = effectivePolicy(a);
        return { id: String(p.id), legacyAuthBlocked: p.flags.filter((f) => LEGACY_NAMES[f]).map((f) => LEGACY_NAMES[f]) };
      })(),
      authorizedIps: serviceAuthorizedIps(serviceOfDomain(a.domain)).map((e) => ({ ip: e.ip, status: e.status, protocols: [...e.protocols] })),
    });
  };
}
