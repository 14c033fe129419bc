// OVHcloud API stand-in (api.lab.test, base /1.0): signed requests and the read side of the
// `email/exchange` API, with the object shapes of the published schema.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DOMAINS, LAB_MX, LAB_SERVER, MAILBOXES, OVH } from '../scenarios.js';
import { sendJson, segmentsUnder, type Site, type StandinRequest } from './http-util.js';
import { canReceive, labAccount, labDomainNames, mxIsValid, srvIsValid, type LabAccount } from './lab-accounts.js';
import { verifyOvhRequest } from './ovh-signature.js';

export interface OvhApiOptions {
  /** Expiry of the certificate the Exchange server presents (ExchangeService.sslExpirationDate). */
  sslExpirationDate: string;
  now?: () => number;
}

const BASE = '/1.0';
const day = 24 * 3600 * 1000;

const spamAndVirusConfiguration = { checkDKIM: true, checkSPF: true, deleteSpam: false, deleteVirus: true, putInJunk: true, tagSpam: true, tagVirus: false };

const notFound = (res: ServerResponse, what: string, value: string) =>
  reply(res, 404, { class: 'Client::NotFound', message: `The requested object (${what} = ${value}) does not exist` });

function reply(res: ServerResponse, status: number, value: unknown): void {
  // Every api.ovh.com answer carries a query id that support can trace.
  sendJson(res, status, value, 'application/json; charset=utf-8', { 'X-Ovh-Queryid': `LAB.ext-1.${randomUUID()}`, 'Cache-Control': 'no-cache, no-store' });
}

/** SQL-LIKE filter of the listing endpoints (`%` is the wildcard). */
const like = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('%').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value);

function account(a: LabAccount, now: number) {
  const p = a.provider;
  const digits = p.spamTicketNumber?.replace(/\D/g, '');
  return {
    SAMAccountName: null,
    accountLicense: 'standard',
    company: null,
    configured: true,
    creationDate: new Date(now - 400 * day).toISOString(),
    currentUsage: 1048576 * (a.id + 3),
    deleteAtExpiration: false,
    deleteOutlookAtExpiration: false,
    displayName: a.local,
    domain: a.domain,
    exchangeGuid: null,
    expirationDate: p.expirationDate ?? null,
    expirationOutlookDate: null,
    firstName: null,
    guid: null,
    hiddenFromGAL: false,
    id: a.id,
    initial: null,
    lastLogoffDate: null,
    lastLogonDate: new Date(now - 2 * day).toISOString(),
    lastName: null,
    lastUpdateDate: new Date(now - 30 * day).toISOString(),
    litigation: false,
    litigationPeriod: null,
    login: a.local,
    mailingFilter: ['vaderetro'],
    outlookLicense: false,
    owaLimited: false,
    passwordLastUpdate: new Date(now - 90 * day).toISOString(),
    primaryEmailAddress: a.mailbox.address,
    quota: 50,
    renewOutlookPeriod: null,
    renewPeriod: 'monthly',
    spamAndVirusConfiguration,
    spamDetected: p.spamDetected === true,
    // The published schema types the ticket as a number.
    spamTicketNumber: digits ? Number(digits) : null,
    state: p.state,
    taskPendingId: 0,
  };
}

function protocol(a: LabAccount, now: number) {
  const p = a.provider.protocols ?? { IMAP: true, POP: true, activeSync: true, webDAV: true };
  return {
    IMAP: p.IMAP,
    POP: p.POP,
    activeSync: p.activeSync,
    // The lab calls the webmail switch webDAV; the API's field is webMail.
    webMail: p.webDAV,
    creationDate: new Date(now - 400 * day).toISOString(),
    lastUpdate: new Date(now - 10 * day).toISOString(),
    taskPendingId: 0,
  };
}

function diagnosis(a: LabAccount, now: number) {
  const blocked = a.suspended || a.expired;
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

function service(opts: OvhApiOptions, now: number) {
  return {
    complexityEnabled: true,
    displayName: 'Lab hosted Exchange',
    domain: OVH.service,
    hostname: LAB_SERVER,
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
    sslExpirationDate: opts.sslExpirationDate,
    state: 'ok',
    taskPendingId: 0,
    webUrl: `https://${LAB_SERVER}/owa/`,
  };
}

function domainObject(name: string) {
  return {
    cnameToCheck: null,
    domainAliases: [],
    domainValidated: true,
    isAliasDomain: false,
    main: name === 'healthy.test',
    mxIsValid: mxIsValid(name),
    mxRecord: [...LAB_MX],
    mxRelay: null,
    name,
    organization2010: null,
    srvIsValid: srvIsValid(name),
    srvRecord: [LAB_SERVER],
    state: 'ok',
    taskPendingId: 0,
    type: 'authoritative',
  };
}

function exchangeRoutes(req: StandinRequest, res: ServerResponse, seg: string[], opts: OvhApiOptions, now: number): void {
  const invalidUrl = () => reply(res, 404, { class: 'Client::NotFound', message: 'Got an invalid (or empty) URL' });
  if (seg.length === 0) return reply(res, 200, [OVH.organization]);
  const [org, s1, svc, s3, item, sub, ...more] = seg;
  if (org !== OVH.organization) return notFound(res, 'organizationName', org);
  if (s1 !== 'service') return invalidUrl();
  if (svc === undefined) return reply(res, 200, [OVH.service]);
  if (svc !== OVH.service) return notFound(res, 'exchangeService', svc);
  if (s3 === undefined) return reply(res, 200, service(opts, now));
  if (more.length > 0) return invalidUrl();
  if (s3 === 'domain') {
    if (item === undefined) return reply(res, 200, labDomainNames());
    if (sub !== undefined || !DOMAINS[item.toLowerCase()]) return sub !== undefined ? invalidUrl() : notFound(res, 'name', item);
    return reply(res, 200, domainObject(item.toLowerCase()));
  }
  if (s3 !== 'account') return invalidUrl();
  if (item === undefined) {
    const filter = req.query.get('primaryEmailAddress');
    const id = req.query.get('id');
    const list = MAILBOXES.map((m) => labAccount(m.address, now)).filter((a): a is LabAccount => a !== undefined)
      .filter((a) => (filter ? like(filter, a.mailbox.address) : true) && (id ? String(a.id) === id : true))
      .map((a) => a.mailbox.address);
    return reply(res, 200, list);
  }
  const a = labAccount(item, now);
  if (!a) return notFound(res, 'primaryEmailAddress', item);
  if (sub === undefined) return reply(res, 200, account(a, now));
  if (sub === 'protocol') return reply(res, 200, protocol(a, now));
  if (sub === 'diagnostics') return reply(res, 200, diagnosis(a, now));
  return invalidUrl();
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
