// The lab's single source of truth: names, addresses, ports, mailboxes and the fault each one
// carries. The mail servers, DNS, the HTTP stand-ins and the tests all read this file.

/** Loopback addresses with a role. */
export const ADDR = {
  main: '127.0.0.1',
  /** Serves an expired certificate on IMAP, submission and HTTPS. */
  expiredCert: '127.0.0.3',
  /** Serves a valid certificate that expires in 5 days (TLS_EXPIRING) on IMAP, submission and HTTPS. */
  expiringCert: '127.0.0.4',
  /** Nothing listens here: connection refused ("server down"). */
  down: '127.0.0.9',
} as const;

export const PORTS = {
  dns: 15353,
  /** Postfix public MX listener (the service's MX_PORT in the lab). */
  mx: 12525,
  /** Postfix authenticated submission, STARTTLS required. */
  submission: 12587,
  /** Dovecot IMAP over implicit TLS. */
  imaps: 10993,
  /** Every HTTPS stand-in (Autodiscover, EWS/OWA, OVHcloud API, RDAP, status page), virtual-hosted by name. */
  https: 443,
} as const;

export const LAB_ZONE = 'lab.test';
/** Host names and their A records. */
export const HOSTS: Record<string, string> = {
  'ex.lab.test': ADDR.main, // the account server: OWA/EWS, Autodiscover, IMAP, submission
  'mx1.lab.test': ADDR.main,
  'mx2.lab.test': ADDR.main,
  'api.lab.test': ADDR.main, // OVHcloud API stand-in (base https://api.lab.test/1.0)
  'provider.lab.test': ADDR.main, // generic HTTP provider stand-in (base https://provider.lab.test/v1)
  'rdap.lab.test': ADDR.main, // RDAP stand-in (base https://rdap.lab.test/)
  'status.lab.test': ADDR.main, // Statuspage stand-in: /api/v2 (no incident), /incident/api/v2 (one open)
  'nobasic.lab.test': ADDR.main, // like ex.lab.test, but its OWA/EWS refuse Basic auth (NTLM/Negotiate only)
  'expired.lab.test': ADDR.expiredCert,
  'expiring-cert.lab.test': ADDR.expiringCert, // like ex.lab.test, but its certificate expires in 5 days
  'down.lab.test': ADDR.down,
  'mx.elsewhere.test': ADDR.down,
};

export const LAB_SERVER = 'ex.lab.test';
export const LAB_MX = ['mx1.lab.test', 'mx2.lab.test'];

export interface DomainScenario {
  /** MX records (preference, host); empty = no MX (NODATA). */
  mx: Array<[number, string]>;
  /** _autodiscover._tcp SRV (priority, weight, port, target); undefined = none. */
  srv?: [number, number, number, string];
  /** RDAP: registered with this expiry (ISO), or not registered. */
  rdap: { registered: false } | { registered: true; expires: string };
  /** Inbound mail to this domain is accepted by the MX and silently discarded. */
  discardInbound?: boolean;
  /** TXT records at the domain (SPF and others); undefined = none. */
  spf?: string[];
  /** TXT records at _dmarc.<domain>; undefined = none. */
  dmarc?: string[];
  note: string;
}

const day = 24 * 3600 * 1000;
const inDays = (n: number) => new Date(Date.now() + n * day).toISOString();
const goodMx: Array<[number, string]> = [[10, 'mx1.lab.test'], [20, 'mx2.lab.test']];
const goodSrv: [number, number, number, string] = [0, 0, 443, LAB_SERVER];

/** The lab platform's SPF: the name every domain's SPF must include (the profile's spf.include). */
export const LAB_SPF_INCLUDE = 'spf.lab.test';
/** TXT records of names other than the scenario domains. */
export const TXT_RECORDS: Record<string, string[]> = { [LAB_SPF_INCLUDE]: ['v=spf1 ip4:127.0.0.0/8 -all'] };
const goodSpf = [`v=spf1 include:${LAB_SPF_INCLUDE} -all`];
const goodDmarc = ['v=DMARC1; p=quarantine; pct=100; rua=mailto:dmarc-reports@lab.test; adkim=r; aspf=s'];
/** Correct SPF and DMARC, so that the domain's other faults stand alone. */
const goodAuth = { spf: goodSpf, dmarc: goodDmarc };

export const DOMAINS: Record<string, DomainScenario> = {
  'healthy.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'everything right' },
  'mx-elsewhere.test': { mx: [[10, 'mx.elsewhere.test']], srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'MX points at a host that is not the platform (MX_INVALID, mail not received)' },
  'mx-missing.test': { mx: [], srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'no MX record (MX_MISSING)' },
  'srv-wrong.test': { mx: goodMx, srv: [10, 5, 8443, 'mx1.lab.test'], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'SRV with wrong priority/weight/port/target (SRV_INVALID)' },
  'srv-missing.test': { mx: goodMx, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'no _autodiscover._tcp SRV (SRV_MISSING, Autodiscover fails)' },
  'dropped.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, discardInbound: true, note: 'MX accepts inbound mail and drops it (MAIL_NOT_RECEIVED)' },
  'expired-domain.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(-10) }, note: 'registration expired 10 days ago (DOMAIN_EXPIRED)' },
  'expiring.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(5) }, note: 'registration expires in 5 days (DOMAIN_EXPIRING)' },
  'unregistered.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: false }, note: 'RDAP has no such domain (DOMAIN_NOT_REGISTERED)' },
  'expiring-cert.test': { mx: goodMx, srv: [0, 0, 443, 'expiring-cert.lab.test'], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'SRV leads Autodiscover to expiring-cert.lab.test, whose certificate expires in 5 days (TLS_EXPIRING)' },
  'spf-missing.test': { mx: goodMx, srv: goodSrv, dmarc: goodDmarc, rdap: { registered: true, expires: inDays(365) }, note: 'no SPF record (SPF_MISSING)' },
  'spf-wrong.test': { mx: goodMx, srv: goodSrv, spf: ['v=spf1 ip4:192.0.2.0/24 ~all'], dmarc: goodDmarc, rdap: { registered: true, expires: inDays(365) }, note: 'SPF does not include the platform (SPF_INVALID)' },
  'spf-double.test': { mx: goodMx, srv: goodSrv, spf: [...goodSpf, 'v=spf1 mx ~all'], dmarc: goodDmarc, rdap: { registered: true, expires: inDays(365) }, note: 'two SPF records (SPF_INVALID)' },
  'spf-loop.test': { mx: goodMx, srv: goodSrv, spf: [`v=spf1 include:${LAB_SPF_INCLUDE} include:spf-loop.test -all`], dmarc: goodDmarc, rdap: { registered: true, expires: inDays(365) }, note: 'SPF includes itself: more than 10 DNS lookups (SPF_INVALID)' },
  'dmarc-missing.test': { mx: goodMx, srv: goodSrv, spf: goodSpf, rdap: { registered: true, expires: inDays(365) }, note: 'no _dmarc record (DMARC_MISSING)' },
  'dmarc-invalid.test': { mx: goodMx, srv: goodSrv, spf: goodSpf, dmarc: ['v=DMARC1; p=block; pct=150'], rdap: { registered: true, expires: inDays(365) }, note: 'DMARC policy p=block, pct=150 (DMARC_INVALID)' },
};

export interface ProviderState {
  state: 'ok' | 'suspended';
  spamDetected?: boolean;
  spamTicketNumber?: string;
  /** ISO date; in the past = expired subscription. */
  expirationDate?: string;
  locked?: boolean;
  /** Protocol switches (OVHcloud exchangeAccountProtocol). */
  protocols?: { IMAP: boolean; POP: boolean; activeSync: boolean; webDAV: boolean };
}

export interface MailboxScenario {
  address: string;
  password: string;
  /** Mail servers refuse this login as if the password were wrong (suspended/locked/expired accounts). */
  denyLogin?: boolean;
  /** Submission rejects this authenticated sender with 554 5.7.1 (spam-blocked). */
  rejectSender?: boolean;
  /** Delivered mail is filed into Junk by Sieve. */
  fileIntoJunk?: boolean;
  /** MX greylists mail to this recipient once (450 4.7.1): delivered on retry (MAIL_DELAYED). */
  greylist?: boolean;
  /** MX refuses inbound mail to this recipient with 550 5.7.1 (MX_REJECTED); IMAP and submission still work. */
  rejectInbound?: boolean;
  /** Account state the provider stand-ins report; undefined = unknown to the provider (ACCOUNT_NOT_FOUND). */
  provider?: ProviderState;
  note: string;
}

const okState: ProviderState = { state: 'ok', spamDetected: false, expirationDate: inDays(200), locked: false, protocols: { IMAP: true, POP: true, activeSync: true, webDAV: true } };
const pw = (name: string) => `Lab-${name}-pw-7c1e`;

export const MAILBOXES: MailboxScenario[] = [
  { address: 'healthy@healthy.test', password: pw('healthy'), provider: okState, note: 'healthy mailbox' },
  { address: 'wrongpw@healthy.test', password: pw('wrongpw'), provider: okState, note: 'tests send a wrong password (AUTH_FAILED)' },
  { address: 'spammer@healthy.test', password: pw('spammer'), rejectSender: true, provider: { ...okState, spamDetected: true, spamTicketNumber: 'SPAM-4242' }, note: 'blocked for spam: submission answers 5.7.1' },
  { address: 'junk@healthy.test', password: pw('junk'), fileIntoJunk: true, provider: okState, note: 'inbound test mail lands in Junk (MAIL_IN_JUNK)' },
  { address: 'delayed@healthy.test', password: pw('delayed'), greylist: true, provider: okState, note: 'MX greylists the first attempt (MAIL_DELAYED)' },
  { address: 'suspended@healthy.test', password: pw('suspended'), denyLogin: true, provider: { ...okState, state: 'suspended' }, note: 'suspended by the provider' },
  { address: 'expired@healthy.test', password: pw('expired'), denyLogin: true, provider: { ...okState, expirationDate: inDays(-3) }, note: 'subscription expired' },
  { address: 'locked@healthy.test', password: pw('locked'), denyLogin: true, provider: { ...okState, locked: true }, note: 'locked by the security policy' },
  { address: 'imapoff@healthy.test', password: pw('imapoff'), provider: { ...okState, protocols: { IMAP: false, POP: true, activeSync: true, webDAV: true } }, note: 'IMAP switched off for the account (PROTOCOL_DISABLED)' },
  { address: 'ghost@healthy.test', password: pw('ghost'), note: 'unknown to the provider (ACCOUNT_NOT_FOUND)' },
  ...['mx-elsewhere.test', 'mx-missing.test', 'srv-wrong.test', 'srv-missing.test', 'dropped.test', 'expired-domain.test', 'expiring.test', 'unregistered.test']
    .map((d) => ({ address: `user@${d}`, password: pw(d.split('.')[0]), provider: okState, note: DOMAINS[d].note })),
  { address: 'user@expiring-cert.test', password: pw('expiring-cert'), provider: okState, note: DOMAINS['expiring-cert.test'].note },
  { address: 'bounce@healthy.test', password: pw('bounce'), rejectInbound: true, provider: okState, note: 'MX refuses inbound mail with 550 5.7.1; login and submission work (MX_REJECTED)' },
  // One wrong-password mailbox per test file that counts failed logins in the servers' logs, so
  // that files running at the same time never see each other's failures.
  ...['scenarios', 'mail', 'http', 'guides'].map((f) => ({ address: `wrongpw-${f}@healthy.test`, password: pw(`wrongpw-${f}`), provider: okState, note: `wrong-password scenarios of the ${f} tests` })),
  ...['spf-missing.test', 'spf-wrong.test', 'spf-double.test', 'spf-loop.test', 'dmarc-missing.test', 'dmarc-invalid.test']
    .map((d) => ({ address: `user@${d}`, password: pw(d.split('.')[0]), provider: okState, note: DOMAINS[d].note })),
];

export const mailbox = (address: string): MailboxScenario => {
  const m = MAILBOXES.find((x) => x.address === address);
  if (!m) throw new Error(`no lab mailbox ${address}`);
  return m;
};

/** The OVHcloud stand-in's credentials and service naming. */
export const OVH = {
  appKey: 'labAppKey0001',
  appSecret: 'labAppSecret0000000000000000001',
  consumerKey: 'labConsumerKey00000000000000001',
  organization: 'hosted-lab-1',
  service: 'hosted-lab-1',
  lockout: { lockoutThreshold: 5, lockoutDuration: 30, lockoutObservationWindow: 30 },
} as const;

export const PROVIDER_HTTP_TOKEN = 'lab-provider-token-0001';

/** Status page component that the lab profile watches, and the open incident of /incident/. */
export const STATUS = {
  component: 'Exchange lab',
  incident: { name: 'Exchange lab: degraded IMAP service', shortlink: 'https://status.lab.test/incidents/lab1' },
};
