// OVHcloud API stand-in (api.lab.test, base /1.0): signed requests and the read side of the
// `email/exchange` API, with every field of the published schema (shared/reference/ovh-exchange-api.md,
// checked by test/integration/ovh-contract.test.ts against test/contracts/ovh-exchange.schema.ts).
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AUTH_POLICIES, DOMAINS, LAB_SERVER, MAILBOXES, OVH } from '../scenarios.js';
import { sendJson, segmentsUnder, type Site, type StandinRequest } from './http-util.js';
import {
  accountPolicyId, canReceive, domainsOfService, EXPECTED, labAccount, labServices, mxIsValid, observedRecords, POLICY_FLAGS, serviceAuthorizedIps,
  serviceOfDomain, spfIsValid, srvIsValid, type LabAccount,
} from './lab-accounts.js';
import { verifyOvhRequest } from './ovh-signature.js';

export interface OvhApiOptions {
  /** Expiry of the certificate the Exchange server presents (ExchangeService.sslExpirationDate, a date). */
  sslExpirationDate: string;
  now?: () => number;
}

const BASE = '/1.0';
const day = 24 * 3600 * 1000;

const spamAndVirusConfiguration = { checkDKIM: true, checkSPF: true, deleteSpam: false, deleteVirus: true, putInJunk: true, tagSpam: true, tagVirus: false };

/**
 * exchangeServiceAuthenticationPolicy: `id` and the 14 flags, true where AUTH_POLICIES says so.
 * Policy 1 blocks nothing (what new accounts get); policy 2 blocks legacy IMAP (legacyimap@).
 */
const authenticationPolicy = (id: number) => ({ id, ...Object.fromEntries(POLICY_FLAGS.map((f) => [f, (AUTH_POLICIES[id] ?? []).includes(f)])) });

/**
 * exchangeServiceAuthorizedIp. The main service is open to the lab's loopback on every protocol
 * (where the diagnostic runs from); OVH.ipRestricted's entries leave 127.0.0.1 out.
 */
const IP_FLAGS = ['HTTPS', 'IMAP', 'IMAPS', 'POP', 'POPS', 'SMTP', 'SMTPS'] as const;
const authorizedIp = (e: { ip: string; status: string; displayName: string; protocols: readonly string[] }, now: number) => ({
  ip: e.ip, status: e.status, displayName: e.displayName, creationDate: new Date(now - 300 * day).toISOString(), updateDate: null,
  ...Object.fromEntries(IP_FLAGS.map((f) => [f, e.protocols.includes(f)])),
});

const notFound = (res: ServerResponse, what: string, value: string) =>
  reply(res, 404, { class: 'Client::NotFound', message: `The requested object (${what} = ${value}) does not exist` });

function reply(res: ServerResponse, status: number, value: unknown): void {
  // Every api.ovh.com answer carries a query id that support can trace.
  sendJson(res, status, value, 'application/json; charset=utf-8', { 'X-Ovh-Queryid': `LAB.ext-1.${randomUUID()}`, 'Cache-Control': 'no-cache, no-store' });
}

/** SQL-LIKE filter of the listing endpoints (`%` is the wildcard). */
const like = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value);

/** email.exchange.Account: all 58 fields, null where the schema allows it and the lab has nothing. */
function account(a: LabAccount, now: number) {
  const p = a.provider;
  const digits = p.spamTicketNumber?.replace(/\D/g, '');
  const pending = a.tasks.find((t) => t.status === 'todo' || t.status === 'doing');
  return {
    SAMAccountName: null,
    accountLicense: 'standard',
    authenticationPolicyId: accountPolicyId(a),
    city: null,
    company: null,
    configured: p.state !== 'creating',
    countryCode: 'FR',
    creationDate: new Date(now - 400 * day).toISOString(),
    currentUsage: 1048576 * (a.id + 3),
    customIsolationId: null,
    deleteAtExpiration: false,
    deleteOutlookAtExpiration: false,
    description: null,
    displayName: a.local,
    domain: a.domain,
    exchangeGuid: null,
    expirationDate: p.expirationDate ?? null,
    expirationOutlookDate: null,
    fax: null,
    firstName: null,
    forwardingEmail: null,
    guid: null,
    hiddenFromGAL: false,
    id: a.id,
    initial: null,
    jobDepartment: null,
    jobTitle: null,
    lastLogoffDate: null,
    lastLogonDate: new Date(now - 2 * day).toISOString(),
    lastName: null,
    lastUpdateDate: new Date(now - 30 * day).toISOString(),
    litigation: false,
    litigationPeriod: null,
    login: a.local,
    mailSenderDisplay: null,
    mailingFilter: ['vaderetro'],
    mobile: null,
    numberOfAliases: 0,
    office: null,
    outlookLicense: false,
    owaLimited: false,
    passwordLastUpdate: new Date(now - 90 * day).toISOString(),
    phone: null,
    postalCode: null,
    primaryEmailAddress: a.mailbox.address,
    quota: 50,
    region: null,
    renewOutlookPeriod: null,
    renewPeriod: 'monthly',
    sbrDestination: null,
    sendConnectorId: null,
    spamAndVirusConfiguration,
    spamDetected: p.spamDetected === true,
    // The published schema types the ticket as a number.
    spamTicketNumber: digits ? Number(digits) : null,
    state: p.state,
    storeCopyOfEmail: false,
    streetAddress: null,
    taskPendingId: pending?.id ?? 0,
  };
}

function protocol(a: LabAccount, now: number) {
  const p = a.provider.protocols ?? { IMAP: true, POP: true, activeSync: true, webMail: true };
  return {
    IMAP: p.IMAP,
    POP: p.POP,
    activeSync: p.activeSync,
    webMail: p.webMail,
    creationDate: new Date(now - 400 * day).toISOString(),
    lastUpdate: new Date(now - 10 * day).toISOString(),
    taskPendingId: 0,
  };
}

function diagnosis(a: LabAccount, now: number) {
  const blocked = a.suspended || a.expired || a.provider.state !== 'ok';
  return {
    canReceiveEmail: !blocked && canReceive(a.domain),
    canSendEmail: !blocked && !a.locked && a.provider.spamDetected !== true,
    connectiveOWA: a.mailbox.denyLogin !== true,
    isLocked: a.locked,
    isMxValid: mxIsValid(a.domain),
    isSpammer: a.provider.spamDetected === true,
    isSrvValid: srvIsValid(a.domain),
    isSuspended: a.suspended,
    lastCheck: new Date(now - 3600 * 1000).toISOString(),
  };
}

/** email.exchange.ExchangeServiceWithIAM. */
function service(opts: OvhApiOptions, now: number, name: string = OVH.service) {
  return {
    adfsChangePassword: false,
    cnameDcvRecord: null,
    complexityEnabled: true,
    defaultAuthenticationPolicyId: OVH.defaultPolicyId,
    defaultSmartHost: null,
    displayName: 'Lab hosted Exchange',
    domain: name,
    hostname: LAB_SERVER,
    iam: { id: name === OVH.service ? '6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b' : '6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5c', urn: `urn:v1:eu:resource:emailExchange:${OVH.organization}/service/${name}`, displayName: null, tags: null, state: 'OK' },
    lastUpdateDate: new Date(now - 60 * day).toISOString(),
    ...OVH.lockout,
    maxPasswordAge: null,
    maxReceiveSize: 100,
    maxSendSize: 100,
    minPasswordAge: null,
    minPasswordLength: 8,
    offer: 'hosted',
    passwordHistoryCount: null,
    spamAndVirusConfiguration,
    // A `date` in the schema (YYYY-MM-DD), not a datetime.
    sslExpirationDate: opts.sslExpirationDate.slice(0, 10),
    state: 'ok',
    taskPendingId: 0,
    webUrl: `https://${LAB_SERVER}/owa/`,
  };
}

/** email.exchange.Domain: what DNS holds (`*Record`) apart from what the platform expects (`expected*`). */
function domainObject(name: string) {
  const seen = observedRecords(name);
  return {
    cnameToCheck: null,
    dkimDiagnostics: { state: 'disabled', errorCode: null, message: null },
    domainAliases: [],
    domainValidated: true,
    expectedAutodiscoverSRV: EXPECTED.srv,
    expectedMX: [...EXPECTED.mx],
    expectedSPF: EXPECTED.spf,
    isAliasDomain: false,
    main: name === 'healthy.test',
    mxIsValid: mxIsValid(name),
    mxRecord: seen.mx,
    mxRelay: null,
    name,
    organization2010: null,
    sbrDefault: null,
    sendConnectorIdDefault: null,
    spfIsValid: spfIsValid(name),
    spfRecord: seen.spf,
    srvIsValid: srvIsValid(name),
    srvRecord: seen.srv,
    state: 'ok',
    taskPendingId: 0,
    type: 'authoritative',
  };
}

function accountRoutes(res: ServerResponse, a: LabAccount, rest: string[], now: number): void {
  const [sub, id, ...more] = rest;
  const invalidUrl = () => reply(res, 404, { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' });
  if (sub === undefined) return reply(res, 200, account(a, now));
  if (more.length) return invalidUrl();
  if (sub === 'protocol' && id === undefined) return reply(res, 200, protocol(a, now));
  if (sub === 'diagnostics' && id === undefined) return reply(res, 200, diagnosis(a, now));
  if (sub === 'tasks') {
    if (id === undefined) return reply(res, 200, a.tasks.map((t) => t.id));
    const task = a.tasks.find((t) => String(t.id) === id);
    return task ? reply(res, 200, task) : notFound(res, 'id', id);
  }
  return invalidUrl();
}

function exchangeRoutes(req: StandinRequest, res: ServerResponse, seg: string[], opts: OvhApiOptions, now: number): void {
  const invalidUrl = () => reply(res, 404, { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' });
  if (seg.length === 0) return reply(res, 200, [OVH.organization]);
  const [org, s1, svc, s3, item, ...rest] = seg;
  if (org !== OVH.organization) return notFound(res, 'organizationName', org);
  if (s1 !== 'service') return invalidUrl();
  if (svc === undefined) return reply(res, 200, labServices());
  if (!labServices().includes(svc)) return notFound(res, 'exchangeService', svc);
  if (s3 === undefined) return reply(res, 200, service(opts, now, svc));
  if (s3 === 'domain') {
    if (rest.length) return invalidUrl();
    if (item === undefined) return reply(res, 200, domainsOfService(svc));
    const d = item.toLowerCase();
    return DOMAINS[d] && serviceOfDomain(d) === svc ? reply(res, 200, domainObject(d)) : notFound(res, 'name', item);
  }
  if (s3 === 'authenticationPolicy') {
    // Policies are the organisation's: every service lists them all.
    if (rest.length) return invalidUrl();
    const ids = Object.keys(AUTH_POLICIES).map(Number);
    if (item === undefined) return reply(res, 200, ids);
    return ids.map(String).includes(item) ? reply(res, 200, authenticationPolicy(Number(item))) : notFound(res, 'id', item);
  }
  if (s3 === 'authorizedIp') {
    if (rest.length) return invalidUrl();
    const entries = serviceAuthorizedIps(svc);
    if (item === undefined) return reply(res, 200, entries.map((e) => e.ip));
    const e = entries.find((x) => x.ip === item);
    return e ? reply(res, 200, authorizedIp(e, now)) : notFound(res, 'ip', item);
  }
  if (s3 !== 'account') return invalidUrl();
  const mine = (a: LabAccount) => serviceOfDomain(a.domain) === svc;
  if (item === undefined) {
    const filter = req.query.get('primaryEmailAddress');
    const id = req.query.get('id');
    const list = MAILBOXES.map((m) => labAccount(m.address, now)).filter((a): a is LabAccount => a !== undefined && mine(a))
      .filter((a) => (filter ? like(filter, a.mailbox.address) : true) && (id ? String(a.id) === id : true))
      .map((a) => a.mailbox.address);
    return reply(res, 200, list);
  }
  const a = labAccount(item, now);
  if (!a || !mine(a)) return notFound(res, 'primaryEmailAddress', item);
  return accountRoutes(res, a, rest, now);
}

export function ovhApiSite(opts: OvhApiOptions): Site {
  const clock = opts.now ?? Date.now;
  return (req, res) => {
    const now = clock();
    const seg = segmentsUnder(req.path, BASE);
    if (!seg) return reply(res, 404, { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' });
    // /auth/* is the unsigned part of the API; the clients call /auth/time to learn the clock.
    if (seg[0] === 'auth') {
      if (req.method === 'GET' && seg.length === 2 && seg[1] === 'time') return reply(res, 200, Math.floor(now / 1000));
      return reply(res, 404, { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' });
    }
    const denied = verifyOvhRequest(req, OVH, Math.floor(now / 1000));
    if (denied) return reply(res, denied.status, denied.body);
    if (req.method !== 'GET') return reply(res, 405, { class: 'Client::MethodNotAllowed', message: `Method ${req.method} is not allowed on this path (read-only stand-in)` });
    if (seg[0] === 'email' && seg[1] === 'exchange') return exchangeRoutes(req, res, seg.slice(2), opts, now);
    return reply(res, 404, { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' });
  };
}
