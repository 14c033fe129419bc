// OVHcloud Exchange: finds the service that holds the account's domain, then reads the account,
// its protocol switches and lock state, the service (server, lockout policy) and the domain's MX.
import { apiMessage, type JsonAnswer } from './json-request.js';
import { createOvhApi, type OvhApi, type OvhApiOptions } from './ovh-signed-api.js';
import { ProviderError, type AccountLookup, type AccountProvider, type AccountState } from './provider.js';

export interface OvhProviderOptions extends OvhApiOptions {
  /** How long the domain → service mapping is trusted, ms. */
  cacheTtlMs?: number;
}

interface Location { organization: string; service: string }

/** OVHcloud `email.exchange.*` documents, the fields we read. */
export interface OvhService { hostname?: string; lockoutThreshold?: number; lockoutDuration?: number; lockoutObservationWindow?: number }
export interface OvhAccount { state?: string; spamDetected?: boolean; spamTicketNumber?: number | string | null; expirationDate?: string | null }
export interface OvhProtocol { IMAP?: boolean; POP?: boolean; activeSync?: boolean; webMail?: boolean; webDAV?: boolean }
export interface OvhDiagnosis { isLocked?: boolean }
export interface OvhDomain { mxRecord?: string[] | null; srvRecord?: string[] | null }

const PROTOCOL_NAMES: Record<keyof OvhProtocol, string> = { IMAP: 'imap', POP: 'pop', activeSync: 'activesync', webMail: 'owa', webDAV: 'webdav' };
const seg = (s: string) => encodeURIComponent(s).replace(/%40/g, '@');
const host = (h: string) => h.replace(/\.$/, '').toLowerCase();

/** Pure mapping of the OVHcloud documents onto the provider-neutral state. */
export function mapOvhAccount(
  a: OvhAccount, svc: OvhService | undefined, proto: OvhProtocol | undefined, diag: OvhDiagnosis | undefined,
  dom: OvhDomain | undefined, now: number,
): AccountState {
  const state = String(a.state ?? 'unknown');
  const expiry = a.expirationDate ? Date.parse(a.expirationDate) : NaN;
  const policy = svc && (svc.lockoutThreshold !== undefined || svc.lockoutDuration !== undefined)
    ? { threshold: svc.lockoutThreshold, durationMinutes: svc.lockoutDuration, observationMinutes: svc.lockoutObservationWindow }
    : undefined;
  return {
    state,
    suspended: state === 'suspended' || state === 'suspending',
    expired: Number.isFinite(expiry) && expiry < now,
    expirationDate: a.expirationDate ?? undefined,
    spamBlocked: a.spamDetected === true,
    spamTicketNumber: a.spamTicketNumber == null ? undefined : String(a.spamTicketNumber),
    locked: diag?.isLocked === true,
    lockoutPolicy: policy,
    disabledProtocols: proto ? (Object.keys(PROTOCOL_NAMES) as Array<keyof OvhProtocol>).filter((k) => proto[k] === false).map((k) => PROTOCOL_NAMES[k]) : [],
    server: svc?.hostname ? host(svc.hostname) : undefined,
    expectedMx: dom?.mxRecord?.length ? dom.mxRecord.map(host) : undefined,
  };
}

export function createOvhProvider(opts: OvhProviderOptions): AccountProvider {
  const api: OvhApi = createOvhApi(opts);
  const now = opts.now ?? Date.now;
  const ttl = opts.cacheTtlMs ?? 5 * 60_000;
  let map: { at: number; byDomain: Map<string, Location> } | undefined;
  let refreshing: Promise<Map<string, Location>> | undefined;
  type Calls = Array<{ route: string; status: number; ms: number }>;

  const expect = async <T>(calls: Calls, path: string, route: string, signal: AbortSignal, opt: { allow404?: boolean } = {}): Promise<T | undefined> => {
    const r: JsonAnswer = await api.get(path, signal);
    calls.push({ route, status: r.status, ms: r.ms });
    if (r.status === 200) return r.body as T;
    if (r.status === 404 && opt.allow404) return undefined;
    const msg = apiMessage(r.body);
    throw new ProviderError(`OVHcloud API ${route}: HTTP ${r.status}${msg ? ` (${msg})` : ''}`, {
      provider: 'ovhcloud', api: api.baseUrl, route, status: r.status, apiMessage: msg,
      errorCode: (r.body as { errorCode?: string } | null)?.errorCode, calls: [...calls],
    });
  };

  const list = async (calls: Calls, path: string, route: string, signal: AbortSignal) => {
    const v = await expect<unknown>(calls, path, route, signal);
    if (!Array.isArray(v)) throw new ProviderError(`OVHcloud API ${route}: expected a list`, { provider: 'ovhcloud', route });
    return v.map(String);
  };

  const refresh = async (calls: Calls, signal: AbortSignal): Promise<Map<string, Location>> => {
    const byDomain = new Map<string, Location>();
    const orgs = await list(calls, '/email/exchange', '/email/exchange', signal);
    await Promise.all(orgs.map(async (organization) => {
      const services = await list(calls, `/email/exchange/${seg(organization)}/service`, '/email/exchange/{org}/service', signal);
      await Promise.all(services.map(async (service) => {
        const domains = await list(calls, `/email/exchange/${seg(organization)}/service/${seg(service)}/domain`, '/email/exchange/{org}/service/{svc}/domain', signal);
        for (const d of domains) byDomain.set(d.toLowerCase(), { organization, service });
      }));
    }));
    map = { at: now(), byDomain };
    return byDomain;
  };

  const locate = async (calls: Calls, domain: string): Promise<Location | undefined> => {
    const fresh = map && now() - map.at < ttl;
    if (fresh && map!.byDomain.has(domain)) return map!.byDomain.get(domain);
    // A miss on a recent map is trusted for a short while, so unknown domains do not trigger a crawl each time.
    if (map && fresh && now() - map.at < 30_000) return undefined;
    // Shared by concurrent lookups, so not tied to one caller's signal.
    refreshing ??= refresh(calls, AbortSignal.timeout(20_000)).finally(() => { refreshing = undefined; });
    return (await refreshing).get(domain);
  };

  return {
    name: 'ovhcloud',
    async lookup(email, signal): Promise<AccountLookup> {
      const calls: Calls = [];
      const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
      const loc = await locate(calls, domain);
      if (!loc) return { found: false, evidence: { provider: 'ovhcloud', api: api.baseUrl, reason: `no Exchange service holds the domain ${domain}`, calls: [...calls] } };
      const svcPath = `/email/exchange/${seg(loc.organization)}/service/${seg(loc.service)}`;
      const accPath = `${svcPath}/account/${seg(email.toLowerCase())}`;
      const [account, svc, dom] = await Promise.all([
        expect<OvhAccount>(calls, accPath, '{svc}/account/{email}', signal, { allow404: true }),
        expect<OvhService>(calls, svcPath, '/email/exchange/{org}/service/{svc}', signal),
        expect<OvhDomain>(calls, `${svcPath}/domain/${seg(domain)}`, '{svc}/domain/{domain}', signal, { allow404: true }),
      ]);
      const base = { provider: 'ovhcloud', api: api.baseUrl, organization: loc.organization, service: loc.service };
      if (!account) return { found: false, evidence: { ...base, reason: 'the service has no such account', calls: [...calls] } };
      const [proto, diag] = await Promise.all([
        expect<OvhProtocol>(calls, `${accPath}/protocol`, '{svc}/account/{email}/protocol', signal, { allow404: true }),
        expect<OvhDiagnosis>(calls, `${accPath}/diagnostics`, '{svc}/account/{email}/diagnostics', signal, { allow404: true }),
      ]);
      const state = mapOvhAccount(account, svc, proto, diag, dom, now());
      return {
        found: true,
        account: state,
        evidence: { ...base, accountState: account.state, protocols: proto ?? null, srvRecord: dom?.srvRecord ?? null, calls: [...calls] },
      };
    },
  };
}
