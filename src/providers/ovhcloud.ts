// OVHcloud Exchange: finds the service that holds the account's domain, then reads the account,
// its protocol switches, lock state and unfinished tasks, the service (server, lockout policy)
// and the domain (what DNS held, what the platform expects, OVHcloud's own verdicts).
import { apiMessage, type JsonAnswer } from './json-request.js';
import {
  mapOvhAccount, type OvhAccount, type OvhAuthenticationPolicy, type OvhAuthorizedIp, type OvhDiagnosis, type OvhDomain, type OvhProtocol, type OvhService, type OvhTask,
} from './ovh-records.js';
import { createOvhApi, type OvhApi, type OvhApiOptions } from './ovh-signed-api.js';
import { ProviderError, type AccountLookup, type AccountProvider } from './provider.js';

export { mapOvhAccount } from './ovh-records.js';

export interface OvhProviderOptions extends OvhApiOptions {
  /** How long the domain → service mapping is trusted, ms. */
  cacheTtlMs?: number;
  /** Most recent account tasks read one by one (the list gives ids only). Default 10. */
  maxTasks?: number;
  /** Authorised-IP entries of a service read one by one (the list gives blocks only). Default 50. */
  maxAuthorizedIps?: number;
  /** The signed API client; default one built from the options (tests pass a recording one). */
  api?: OvhApi;
}

interface Location { organization: string; service: string }
type Calls = Array<{ route: string; status: number; ms: number }>;

const seg = (s: string) => encodeURIComponent(s).replace(/%40/g, '@');

export function createOvhProvider(opts: OvhProviderOptions): AccountProvider {
  const api: OvhApi = opts.api ?? createOvhApi(opts);
  const now = opts.now ?? Date.now;
  const ttl = opts.cacheTtlMs ?? 5 * 60_000;
  const maxTasks = opts.maxTasks ?? 10;
  const maxIps = opts.maxAuthorizedIps ?? 50;
  let map: { at: number; byDomain: Map<string, Location> } | undefined;
  let refreshing: Promise<Map<string, Location>> | undefined;

  /**
   * GET and judge the status: 200 is the body; 404 is undefined where allowed; where `optional`,
   * any refusal (e.g. a consumer key without rights on a newer route) is recorded and skipped.
   */
  const expect = async <T>(
    calls: Calls, path: string, route: string, signal: AbortSignal,
    opt: { allow404?: boolean; optional?: Array<Record<string, unknown>> } = {},
  ): Promise<T | undefined> => {
    const r: JsonAnswer = await api.get(path, signal);
    calls.push({ route, status: r.status, ms: r.ms });
    if (r.status === 200) return r.body as T;
    if (r.status === 404 && opt.allow404) return undefined;
    const msg = apiMessage(r.body);
    const errorCode = (r.body as { errorCode?: string } | null)?.errorCode;
    if (opt.optional) {
      opt.optional.push({ route, status: r.status, errorCode, apiMessage: msg });
      return undefined;
    }
    throw new ProviderError(`OVHcloud API ${route}: HTTP ${r.status}${msg ? ` (${msg})` : ''}`, {
      provider: 'ovhcloud', api: api.baseUrl, route, status: r.status, apiMessage: msg, errorCode, calls: [...calls],
    });
  };

  const list = async (calls: Calls, path: string, route: string, signal: AbortSignal, optional?: Array<Record<string, unknown>>) => {
    const v = await expect<unknown>(calls, path, route, signal, { optional });
    if (v === undefined && optional) return undefined;
    if (!Array.isArray(v)) throw new ProviderError(`OVHcloud API ${route}: expected a list`, { provider: 'ovhcloud', route });
    return v.map(String);
  };

  const refresh = async (calls: Calls, signal: AbortSignal): Promise<Map<string, Location>> => {
    const byDomain = new Map<string, Location>();
    const orgs = (await list(calls, '/email/exchange', '/email/exchange', signal))!;
    await Promise.all(orgs.map(async (organization) => {
      const services = (await list(calls, `/email/exchange/${seg(organization)}/service`, '/email/exchange/{org}/service', signal))!;
      await Promise.all(services.map(async (service) => {
        const domains = (await list(calls, `/email/exchange/${seg(organization)}/service/${seg(service)}/domain`, '/email/exchange/{org}/service/{svc}/domain', signal))!;
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

  /** The account's tasks: the list holds ids only; the most recent ones are read. */
  const readTasks = async (calls: Calls, accPath: string, signal: AbortSignal, unavailable: Array<Record<string, unknown>>): Promise<OvhTask[] | undefined> => {
    const ids = await list(calls, `${accPath}/tasks`, '{svc}/account/{email}/tasks', signal, unavailable);
    if (!ids) return undefined;
    const recent = ids.map(Number).filter(Number.isFinite).sort((a, b) => b - a).slice(0, maxTasks);
    const tasks = await Promise.all(recent.map((id) => expect<OvhTask>(calls, `${accPath}/tasks/${id}`, '{svc}/account/{email}/tasks/{id}', signal, { allow404: true, optional: unavailable })));
    return tasks.filter((t): t is OvhTask => !!t && typeof t === 'object');
  };

  /**
   * The authentication policy that applies: the account's `authenticationPolicyId`, else the
   * service's `defaultAuthenticationPolicyId`. These routes are newer (alpha): a consumer key
   * without rights on them is recorded in `unavailable`, never a failed lookup.
   */
  const readPolicy = async (calls: Calls, svcPath: string, account: OvhAccount, service: OvhService | undefined, signal: AbortSignal, unavailable: Array<Record<string, unknown>>) => {
    const own = account.authenticationPolicyId;
    const id = own ?? service?.defaultAuthenticationPolicyId;
    if (id === null || id === undefined) return undefined;
    const policy = await expect<OvhAuthenticationPolicy>(calls, `${svcPath}/authenticationPolicy/${seg(String(id))}`, '{svc}/authenticationPolicy/{id}', signal, { allow404: true, optional: unavailable });
    if (!policy || typeof policy !== 'object') return undefined;
    return { policy: { ...policy, id: policy.id ?? id }, source: own != null ? 'account' as const : 'service-default' as const };
  };

  /** The service's authorised IPs: the list holds blocks only, each entry is read. */
  const readAuthorizedIps = async (calls: Calls, svcPath: string, signal: AbortSignal, unavailable: Array<Record<string, unknown>>): Promise<OvhAuthorizedIp[] | undefined> => {
    const blocks = await list(calls, `${svcPath}/authorizedIp`, '{svc}/authorizedIp', signal, unavailable);
    if (!blocks) return undefined;
    if (blocks.length > maxIps) unavailable.push({ route: '{svc}/authorizedIp/{ip}', reason: `${blocks.length} entries: only the first ${maxIps} were read` });
    const entries = await Promise.all(blocks.slice(0, maxIps).map((ip) => expect<OvhAuthorizedIp>(calls, `${svcPath}/authorizedIp/${encodeURIComponent(ip)}`, '{svc}/authorizedIp/{ip}', signal, { allow404: true, optional: unavailable })));
    // An entry that could not be read is left out; one whose read was refused is in `unavailable`.
    return entries.flatMap((e, i) => (e && typeof e === 'object' ? [{ ...e, ip: e.ip ?? blocks[i] }] : []));
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
      const [account, service, dom] = await Promise.all([
        expect<OvhAccount>(calls, accPath, '{svc}/account/{email}', signal, { allow404: true }),
        expect<OvhService>(calls, svcPath, '/email/exchange/{org}/service/{svc}', signal),
        expect<OvhDomain>(calls, `${svcPath}/domain/${seg(domain)}`, '{svc}/domain/{domain}', signal, { allow404: true }),
      ]);
      const base = { provider: 'ovhcloud', api: api.baseUrl, organization: loc.organization, service: loc.service };
      if (!account) return { found: false, evidence: { ...base, reason: 'the service has no such account', calls: [...calls] } };
      const unavailable: Array<Record<string, unknown>> = [];
      const [protocol, diagnosis, tasks, authPolicy, authorizedIps] = await Promise.all([
        expect<OvhProtocol>(calls, `${accPath}/protocol`, '{svc}/account/{email}/protocol', signal, { allow404: true }),
        expect<OvhDiagnosis>(calls, `${accPath}/diagnostics`, '{svc}/account/{email}/diagnostics', signal, { allow404: true }),
        readTasks(calls, accPath, signal, unavailable),
        readPolicy(calls, svcPath, account, service, signal, unavailable),
        readAuthorizedIps(calls, svcPath, signal, unavailable),
      ]);
      const state = mapOvhAccount({ account, service, protocol, diagnosis, domain: dom, tasks, authPolicy, authorizedIps }, now());
      return {
        found: true,
        account: state,
        evidence: {
          ...base,
          accountState: account.state,
          serviceState: service?.state,
          protocols: protocol ?? null,
          // The domain as OVHcloud sees it: its last look at DNS, what it expects, its verdicts.
          domain: dom ? {
            mxRecord: dom.mxRecord ?? null, expectedMX: dom.expectedMX ?? null, mxIsValid: dom.mxIsValid ?? null,
            srvRecord: dom.srvRecord ?? null, expectedAutodiscoverSRV: dom.expectedAutodiscoverSRV ?? null, srvIsValid: dom.srvIsValid ?? null,
            spfRecord: dom.spfRecord ?? null, expectedSPF: dom.expectedSPF ?? null, spfIsValid: dom.spfIsValid ?? null,
            dkim: dom.dkimDiagnostics?.state ?? null,
          } : null,
          tasks: tasks ? tasks.map((t) => ({ id: t.id, function: t.function, status: t.status, todoDate: t.todoDate })) : null,
          // The authentication policy that applies (all its flags) and the service's authorised IPs, as read.
          authenticationPolicy: authPolicy ? { ...authPolicy.policy, appliesAs: authPolicy.source } : null,
          authorizedIps: authorizedIps ?? null,
          ...(unavailable.length ? { unavailable } : {}),
          calls: [...calls],
        },
      };
    },
  };
}
