// The OVHcloud `email.exchange.*` documents the adapter reads, and the pure mapping of them onto
// the provider-neutral account state. Field names, nullability and enums follow the published
// schema (shared/reference/ovh-exchange-api.md §3–§6): `mxRecord`/`srvRecord`/`spfRecord` are what
// DNS held when OVHcloud last looked, `expected*` what the platform wants, `*IsValid` its verdict.
import type { AccountPhase, AccountState, PendingTask, ProviderRecordView, SrvExpectation } from './provider.js';
import { IP_FLAGS, ipRestrictionsOf, legacyBlockedOf, type AuthPolicy, type IpFlag, type IpRestrictions } from './auth-restrictions.js';

export interface OvhService {
  hostname?: string | null;
  lockoutThreshold?: number | null;
  lockoutDuration?: number;
  lockoutObservationWindow?: number;
  /** ServiceStateEnum: inMaintenance | ok | suspended. */
  state?: string;
  /** The policy given to accounts that name none. */
  defaultAuthenticationPolicyId?: number | null;
}
export interface OvhAccount {
  /** ObjectStateEnum: creating | deleting | internalMigration | ok | reopening | suspended | suspending. */
  state?: string;
  spamDetected?: boolean;
  spamTicketNumber?: number | null;
  expirationDate?: string | null;
  /** An id from `…/service/{svc}/authenticationPolicy`; null = the service's default applies. */
  authenticationPolicyId?: number | null;
}
/** exchangeServiceAuthenticationPolicy: `id` and 14 booleans blockLegacyAuth…/blockModernAuth…. */
export type OvhAuthenticationPolicy = { id?: number } & Record<string, unknown>;
/** exchangeServiceAuthorizedIp: `ip` (ipv4Block), `status` (creating | deleting | ok) and one boolean per protocol. */
export type OvhAuthorizedIp = { ip?: string; status?: string } & Partial<Record<IpFlag, boolean>>;
export interface OvhProtocol { IMAP?: boolean; POP?: boolean; activeSync?: boolean; webMail?: boolean }
export interface OvhDiagnosis { isLocked?: boolean }
export interface OvhDomain {
  mxRecord?: string[] | null;
  expectedMX?: string[];
  mxIsValid?: boolean;
  srvRecord?: string[] | null;
  expectedAutodiscoverSRV?: string;
  srvIsValid?: boolean;
  spfRecord?: string[] | null;
  expectedSPF?: string;
  spfIsValid?: boolean;
  dkimDiagnostics?: { state?: string; errorCode?: number | null; message?: string | null };
}
export interface OvhTask { id: number; function: string; status: string; todoDate?: string; finishDate?: string | null }

const PROTOCOL_NAMES: Record<keyof OvhProtocol, string> = { IMAP: 'imap', POP: 'pop', activeSync: 'activesync', webMail: 'owa' };

/** Every value of ObjectStateEnum has a phase; anything else is `unknown` (never taken as ok). */
const PHASES: Record<string, AccountPhase> = {
  ok: 'active',
  suspended: 'suspended',
  suspending: 'suspended',
  creating: 'creating',
  reopening: 'reopening',
  deleting: 'deleting',
  internalMigration: 'migrating',
};
export const OVH_ACCOUNT_STATES = Object.keys(PHASES);
export const ovhPhase = (state: string | undefined): AccountPhase => (state !== undefined && Object.hasOwn(PHASES, state) ? PHASES[state] : 'unknown');

/** TaskStatusEnum values of a task that has not finished. */
export const PENDING_TASK_STATUSES: ReadonlySet<string> = new Set(['todo', 'doing']);

export const normaliseHost = (h: string) => h.trim().replace(/^"|"$/g, '').replace(/\.$/, '').toLowerCase();

/**
 * A host name out of one `expectedMX`/`mxRecord` entry. The entry format is not documented:
 * "mx1.mail.ovh.net", "mx1.mail.ovh.net." and "1 mx1.mail.ovh.net" all give the host.
 */
export function mxEntryHost(entry: string): string | undefined {
  const host = entry.trim().split(/\s+/).reverse().find((t) => !/^\d+$/.test(t));
  const h = host ? normaliseHost(host) : '';
  return h ? h : undefined;
}

/**
 * `expectedAutodiscoverSRV` is one line that OVHcloud's own manager parses as
 * `<label> IN SRV <priority> <weight> <port> <target>`; a TTL before IN is tolerated.
 */
export function parseExpectedSrv(line: string | undefined): SrvExpectation | undefined {
  const m = /^\s*\S+\s+(?:\d+\s+)?IN\s+SRV\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$/i.exec(line ?? '');
  if (!m) return undefined;
  const target = normaliseHost(m[4]);
  if (!target) return undefined;
  return { priority: Number(m[1]), weight: Number(m[2]), port: Number(m[3]), target };
}

/** `expectedSPF`, unquoted, when it is an SPF record at all. */
export function expectedSpfRecord(value: string | undefined): string | undefined {
  const v = value?.trim().replace(/^"(.*)"$/s, '$1').trim();
  return v && /^v=spf1(?: |$)/i.test(v) ? v : undefined;
}

const view = (valid: boolean | undefined, observed: string[] | null | undefined, expected: string | string[] | undefined): ProviderRecordView | undefined =>
  valid === undefined && observed === undefined && expected === undefined ? undefined : { valid, observed, expected };

export interface OvhDocuments {
  account: OvhAccount;
  service?: OvhService;
  protocol?: OvhProtocol;
  diagnosis?: OvhDiagnosis;
  domain?: OvhDomain;
  /** The account's tasks as read (any status); only unfinished ones are kept. */
  tasks?: OvhTask[];
  /** The policy that applies (the account's, else the service's default) and where its id came from. */
  authPolicy?: { policy: OvhAuthenticationPolicy; source: 'account' | 'service-default' };
  /** Every authorised-IP entry of the service (undefined: not read). */
  authorizedIps?: OvhAuthorizedIp[];
}

/** The policy's true flags → our protocols blocked for legacy (Basic) authentication. */
export function mapOvhAuthPolicy(policy: OvhAuthenticationPolicy, source: 'account' | 'service-default'): AuthPolicy {
  return { ...(policy.id !== undefined ? { id: String(policy.id) } : {}), source, ...legacyBlockedOf(policy) };
}

/** The entries (as read) → restrictions per protocol flag, entries in force only (auth-restrictions.ts). */
export function mapOvhAuthorizedIps(entries: OvhAuthorizedIp[]): IpRestrictions {
  return ipRestrictionsOf(entries.filter((e) => typeof e.ip === 'string').map((e) => ({
    ip: e.ip!, status: String(e.status ?? 'unknown'), flags: IP_FLAGS.filter((f) => e[f] === true),
  })));
}

/** Pure mapping of the OVHcloud documents onto the provider-neutral state. */
export function mapOvhAccount(d: OvhDocuments, now: number): AccountState {
  const { account: a, service: svc, protocol: proto, diagnosis: diag, domain: dom } = d;
  const state = String(a.state ?? 'unknown');
  const expiry = a.expirationDate ? Date.parse(a.expirationDate) : NaN;
  const policy = svc && (svc.lockoutThreshold != null || svc.lockoutDuration !== undefined)
    ? { threshold: svc.lockoutThreshold ?? undefined, durationMinutes: svc.lockoutDuration, observationMinutes: svc.lockoutObservationWindow }
    : undefined;
  // A suspended service suspends every mailbox on it, whatever the account's own state says.
  const phase = svc?.state === 'suspended' ? 'suspended' : ovhPhase(a.state);
  const expectedMx = (dom?.expectedMX ?? []).map(mxEntryHost).filter((h): h is string => !!h);
  const pending: PendingTask[] = (d.tasks ?? []).filter((t) => PENDING_TASK_STATUSES.has(t.status))
    .map((t) => ({ id: t.id, function: t.function, status: t.status, since: t.todoDate }));
  const providerDns = dom && {
    mx: view(dom.mxIsValid, dom.mxRecord, dom.expectedMX),
    srv: view(dom.srvIsValid, dom.srvRecord, dom.expectedAutodiscoverSRV),
    spf: view(dom.spfIsValid, dom.spfRecord, dom.expectedSPF),
  };
  return {
    state,
    phase,
    expired: Number.isFinite(expiry) && expiry < now,
    expirationDate: a.expirationDate ?? undefined,
    spamBlocked: a.spamDetected === true,
    spamTicketNumber: a.spamTicketNumber == null ? undefined : String(a.spamTicketNumber),
    locked: diag?.isLocked === true,
    lockoutPolicy: policy,
    disabledProtocols: proto ? (Object.keys(PROTOCOL_NAMES) as Array<keyof OvhProtocol>).filter((k) => proto[k] === false).map((k) => PROTOCOL_NAMES[k]) : [],
    server: svc?.hostname ? normaliseHost(svc.hostname) : undefined,
    expectedMx: expectedMx.length ? expectedMx : undefined,
    expectedSrv: parseExpectedSrv(dom?.expectedAutodiscoverSRV),
    expectedSpf: expectedSpfRecord(dom?.expectedSPF),
    providerDns,
    dkim: dom?.dkimDiagnostics ? { state: dom.dkimDiagnostics.state, errorCode: dom.dkimDiagnostics.errorCode ?? null, message: dom.dkimDiagnostics.message ?? null } : undefined,
    pendingTasks: d.tasks ? pending : undefined,
    serviceState: svc?.state && svc.state !== 'ok' ? svc.state : undefined,
    authPolicy: d.authPolicy ? mapOvhAuthPolicy(d.authPolicy.policy, d.authPolicy.source) : undefined,
    ipRestrictions: d.authorizedIps ? mapOvhAuthorizedIps(d.authorizedIps) : undefined,
  };
}
