// What the provider stand-ins know about a mailbox and its domain, derived once from the
// scenarios so that the OVHcloud and generic HTTP stand-ins never disagree. The domain side
// keeps OVHcloud's distinction: what DNS holds (the scenario's records) versus what the platform
// expects (the lab platform's MX, SRV and SPF), and a verdict computed from the two.
import { findBulkMailbox } from '../bulk.js';
import { AUTH_POLICIES, DOMAINS, LAB_MX, LAB_SERVER, LAB_SPF_INCLUDE, MAILBOXES, OVH, type MailboxScenario, type ProviderState } from '../scenarios.js';

export interface LabTask { id: number; function: string; status: string; todoDate: string; finishDate: string | null }

export interface LabAccount {
  id: number;
  mailbox: MailboxScenario;
  provider: ProviderState;
  local: string;
  domain: string;
  expired: boolean;
  /** Suspended or being suspended. */
  suspended: boolean;
  locked: boolean;
  /** Lower-case protocol names switched off (imap, pop, activesync, owa). */
  disabledProtocols: string[];
  /** Every task of the scenario, with stable ids and dates. */
  tasks: LabTask[];
}

export function findMailbox(address: string): MailboxScenario | undefined {
  const a = address.trim().toLowerCase();
  return MAILBOXES.find((m) => m.address.toLowerCase() === a) ?? findBulkMailbox(a);
}

/** The account as the provider knows it, or undefined when the provider has no such account. */
export function labAccount(address: string, nowMs: number): LabAccount | undefined {
  const mailbox = findMailbox(address);
  if (!mailbox?.provider) return undefined;
  const p = mailbox.provider;
  const [local, domain] = mailbox.address.split('@');
  const protocols = p.protocols ?? { IMAP: true, POP: true, activeSync: true, webMail: true };
  const disabled: string[] = [];
  if (!protocols.IMAP) disabled.push('imap');
  if (!protocols.POP) disabled.push('pop');
  if (!protocols.activeSync) disabled.push('activesync');
  if (!protocols.webMail) disabled.push('owa');
  // Bulk mailboxes (bulk.ts) come after the scenarios': u0001 is 10001.
  const id = MAILBOXES.includes(mailbox) ? MAILBOXES.indexOf(mailbox) + 1 : 10_000 + Number(local.replace(/\D/g, ''));
  const tasks = (p.tasks ?? []).map((t, i) => ({
    id: id * 100 + i + 1,
    function: t.function,
    status: t.status,
    todoDate: new Date(nowMs - (10 - i) * 60_000).toISOString(),
    finishDate: t.status === 'done' || t.status === 'error' || t.status === 'cancelled' ? new Date(nowMs - (9 - i) * 60_000).toISOString() : null,
  }));
  return {
    id,
    mailbox,
    provider: p,
    local,
    domain,
    expired: p.expirationDate !== undefined && Date.parse(p.expirationDate) < nowMs,
    suspended: p.state === 'suspended' || p.state === 'suspending',
    locked: p.locked === true,
    disabledProtocols: disabled,
    tasks,
  };
}

export const labDomainNames = (): string[] => Object.keys(DOMAINS);

/** The OVHcloud services of the lab organisation: the main one holds every domain but the restricted service's. */
export const labServices = (): string[] => [OVH.service, OVH.ipRestricted.service];

/** The service that holds a domain. */
export const serviceOfDomain = (domain: string): string =>
  ((OVH.ipRestricted.domains as readonly string[]).includes(domain.toLowerCase()) ? OVH.ipRestricted.service : OVH.service);

/** The domains a service holds. */
export const domainsOfService = (service: string): string[] => labDomainNames().filter((d) => serviceOfDomain(d) === service);

/** Every flag of an OVHcloud authentication policy (exchangeServiceAuthenticationPolicy), false unless AUTH_POLICIES sets it. */
export const POLICY_FLAGS = ['ActiveSync', 'Autodiscover', 'Imap', 'Mapi', 'OfflineAddressBook', 'Pop', 'WebServices']
  .flatMap((p) => [`blockLegacyAuth${p}`, `blockModernAuth${p}`]).sort();

/** The account's own policy id (null: none, the service default applies). */
export const accountPolicyId = (a: LabAccount): number | null =>
  (a.provider.authenticationPolicyId === undefined ? OVH.defaultPolicyId : a.provider.authenticationPolicyId);

/** The policy that applies to the account (its own, else the service's default) and its true flags. */
export function effectivePolicy(a: LabAccount): { id: number; flags: string[] } {
  const id = accountPolicyId(a) ?? OVH.defaultPolicyId;
  return { id, flags: AUTH_POLICIES[id] ?? [] };
}

/** Authorised-IP entries of a service: the main one is open to the lab's loopback on every protocol. */
export function serviceAuthorizedIps(service: string): Array<{ ip: string; status: string; displayName: string; protocols: readonly string[] }> {
  if (service === OVH.ipRestricted.service) return OVH.ipRestricted.authorizedIps.map((e) => ({ ...e }));
  return [{ ip: '127.0.0.0/8', status: 'ok', displayName: 'lab loopback', protocols: ['HTTPS', 'IMAP', 'IMAPS', 'POP', 'POPS', 'SMTP', 'SMTPS'] }];
}

/** What the lab platform expects of every domain (the OVHcloud `expected*` fields). */
export const EXPECTED = {
  mx: [...LAB_MX],
  srv: `_autodiscover._tcp IN SRV 0 0 443 ${LAB_SERVER}.`,
  spf: `v=spf1 include:${LAB_SPF_INCLUDE} -all`,
};

/** What DNS holds for the domain, in the provider's notation (null: nothing). */
export function observedRecords(domain: string): { mx: string[] | null; srv: string[] | null; spf: string[] | null } {
  const d = DOMAINS[domain];
  const spf = (d?.spf ?? []).filter((r) => /^v=spf1(?: |$)/i.test(r));
  return {
    mx: d?.mx.length ? d.mx.map(([, h]) => `${h}.`) : null,
    srv: d?.srv ? [`_autodiscover._tcp IN SRV ${d.srv[0]} ${d.srv[1]} ${d.srv[2]} ${d.srv[3]}.`] : null,
    spf: spf.length ? spf : null,
  };
}

/** The domain's MX records are exactly the platform's MX hosts. */
export function mxIsValid(domain: string): boolean {
  const d = DOMAINS[domain];
  if (!d || d.mx.length === 0) return false;
  const hosts = d.mx.map(([, h]) => h.toLowerCase());
  return hosts.every((h) => LAB_MX.includes(h)) && LAB_MX.every((h) => hosts.includes(h));
}

/** `_autodiscover._tcp` is 0 0 443 <server>. */
export function srvIsValid(domain: string): boolean {
  const srv = DOMAINS[domain]?.srv;
  return srv !== undefined && srv[0] === 0 && srv[1] === 0 && srv[2] === 443 && srv[3] === LAB_SERVER;
}

/** One SPF record that includes the platform (the provider looks no deeper: no lookup counting). */
export function spfIsValid(domain: string): boolean {
  const spf = observedRecords(domain).spf ?? [];
  return spf.length === 1 && spf[0].split(' ').includes(`include:${LAB_SPF_INCLUDE}`);
}

/** Inbound mail reaches the mailbox (valid MX and not silently discarded). */
export function canReceive(domain: string): boolean {
  return mxIsValid(domain) && DOMAINS[domain]?.discardInbound !== true;
}
