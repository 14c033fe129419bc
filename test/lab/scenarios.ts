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
  /** The hostile servers (test/lab/hostile/): IMAP, submission, HTTPS and plain HTTP that misbehave on purpose. */
  hostile: '127.0.0.5',
  /** No lab server listens here: checks and webhooks must never connect to it (the egress tests listen on it). */
  forbidden: '127.0.0.6',
  /**
   * Outbound (sending) addresses of the lab platforms: data for DNS only (blocklist and reverse
   * DNS lookups), nothing listens on them and no check connects to them.
   */
  outbound: '127.0.0.20',
  /** Outbound address listed in the lab blocklist (DNSBL.zone); its reverse DNS is right. */
  outboundListed: '127.0.0.21',
  /** Outbound address without a PTR record. */
  outboundNoPtr: '127.0.0.22',
  /** Outbound address whose PTR names a host that does not resolve back to it. */
  outboundBadPtr: '127.0.0.23',
} as const;

/**
 * Names of the hostile servers on ADDR.hostile (same ports as the real lab servers): the name a
 * client connects to (TLS SNI, Host header) picks the misbehaviour. See test/lab/hostile/.
 */
export const HOSTILE = {
  /** IMAP: a 2 GB literal announced in the greeting, then bytes as fast as the client reads. */
  imapGreetingLiteral: 'imap-greeting-literal.lab.test',
  /** IMAP: a 2 GB literal in the CAPABILITY answer. */
  imapCapabilityLiteral: 'imap-capability-literal.lab.test',
  /** IMAP: a 2 GB literal in the answer to LOGIN/AUTHENTICATE. */
  imapLoginLiteral: 'imap-login-literal.lab.test',
  /** Submission: echoes the AUTH line (and its base64 decoded) back in its 535 reply. */
  smtpEchoAuth: 'smtp-echo-auth.lab.test',
  /** HTTPS: answers Autodiscover (with or without credentials) with 1 MB of unclosed tags. */
  autodiscoverUnclosed: 'autodiscover-unclosed.lab.test',
  /** HTTPS: 302 to redirectLoopB, which 302s back here (any path). */
  redirectLoopA: 'redirect-loop-a.lab.test',
  redirectLoopB: 'redirect-loop-b.lab.test',
  /** HTTPS: POX redirectUrl to poxLoopB and back; for addr-loop.test addresses, redirectAddr a@ ↔ b@. */
  poxLoopA: 'pox-loop-a.lab.test',
  poxLoopB: 'pox-loop-b.lab.test',
  /** HTTPS: the response head one byte per second (slowloris). */
  slowHeaders: 'slow-headers.lab.test',
  /** HTTPS: a prompt response head, then the body one byte per second. */
  slowBody: 'slow-body.lab.test',
  /** HTTPS: Autodiscover answers that send the client to ADDR.forbidden (redirectUrl, 302, EwsUrl), picked by the address's local part. */
  toForbidden: 'to-forbidden.lab.test',
  /**
   * Submission (PORTS.exoSubmission): an Exchange Online look-alike (greeting, EHLO, STARTTLS) that
   * answers every AUTH with `535 5.7.139 … SmtpClientAuthentication is disabled for the Tenant …`.
   */
  exoSmtpAuthDisabled: 'exo-smtp-auth-disabled.lab.test',
} as const;

/** A name whose A record is ADDR.forbidden. */
export const FORBIDDEN_HOST = 'forbidden.lab.test';

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
  /** Plain-HTTP stand-in: the Autodiscover redirect probe (GET http://autodiscover.<domain>/…) answers here. */
  http: 80,
  /** The Exchange Online look-alike submission server on ADDR.hostile (HOSTILE.exoSmtpAuthDisabled); EXO itself uses 587. */
  exoSubmission: 10587,
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
  'mx-expired.lab.test': ADDR.expiredCert, // an MX whose certificate expired (Postfix MX listener on 127.0.0.3)
  'out1.lab.test': ADDR.outbound, // reverse and forward DNS of the lab platform's outbound address
  'out-listed.lab.test': ADDR.outboundListed,
  'expiring-cert.lab.test': ADDR.expiringCert, // like ex.lab.test, but its certificate expires in 5 days
  'down.lab.test': ADDR.down,
  'mx.elsewhere.test': ADDR.down,
  ...Object.fromEntries(Object.values(HOSTILE).map((h) => [h, ADDR.hostile])),
  // The Autodiscover host names of the hostile and egress domains below.
  'autodiscover.redirect-loop.test': ADDR.hostile,
  'autodiscover.egress-redirect.test': ADDR.hostile,
  'autodiscover.egress-forbidden.test': ADDR.forbidden,
  [FORBIDDEN_HOST]: ADDR.forbidden,
  // Autodiscover hosts of the credential-boundary domains below (AUTODISCOVER_FAULTS).
  ...Object.fromEntries(['ad-302.test', 'ad-http.test', 'ad-addr.test', 'ad-url.test', 'eu.group.test', 'group.test'].map((d) => [`autodiscover.${d}`, ADDR.main])),
  'autodiscover.outsider.test': ADDR.main,
};

/**
 * An Exchange look-alike on a registrable domain of its own — neither a mailbox domain nor the
 * platform — that asks for Basic like any Exchange. The mailbox password must never reach it.
 */
export const OUTSIDER_HOST = 'autodiscover.outsider.test';
const OUTSIDER_URL = `https://${OUTSIDER_HOST}/autodiscover/autodiscover.xml`;

/** How a domain's own Autodiscover names misbehave (the stand-ins read this; default: they follow the protocol). */
export interface AutodiscoverFault {
  /** https://autodiscover.<domain>/… answers HTTP 302 to this URL, before any authentication. */
  redirect302?: string;
  /** The plain-http probe http://autodiscover.<domain>/… answers HTTP 302 to this URL. */
  httpRedirect?: string;
  /** https://autodiscover.<domain>/… signs the user in, then answers Action redirectAddr with this address. */
  redirectAddr?: string;
  /** https://autodiscover.<domain>/… signs the user in, then answers Action redirectUrl with this URL. */
  redirectUrl?: string;
}

/** Where a mail client's password may and may not go (test/integration/credential-targets.test.ts). */
export const AUTODISCOVER_FAULTS: Record<string, AutodiscoverFault> = {
  'ad-302.test': { redirect302: OUTSIDER_URL },
  'ad-http.test': { httpRedirect: OUTSIDER_URL },
  'ad-addr.test': { redirectAddr: 'user@outsider.test' },
  'ad-url.test': { redirectUrl: OUTSIDER_URL },
  'eu.group.test': { httpRedirect: 'https://autodiscover.group.test/autodiscover/autodiscover.xml' },
};

/** PTR records beyond the `HOSTS` ones (dnsmasq gives every host-record its PTR). */
export const PTR_RECORDS: Record<string, string> = { [ADDR.outboundBadPtr]: 'mail.nowhere.test' };

/**
 * The lab's DNS blocklists (RFC 5782), served by dnsmasq: `zone` lists its test entry 127.0.0.2
 * and `listed`; `broken` answers "listed" for every address (a zone that expired or was hijacked).
 */
export const DNSBL = {
  zone: 'bl.lab.test',
  broken: 'everything-bl.lab.test',
  listed: { [ADDR.outboundListed]: 'Listed by the lab blocklist: spam trap hits (lab fault)' } as Record<string, string>,
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
  /** A record of the domain itself (its website); default ADDR.down (refused). */
  address?: string;
  /** MTA-STS (RFC 8461): TXT records at _mta-sts.<domain>, and the policy https://mta-sts.<domain>/.well-known/mta-sts.txt serves. */
  mtaSts?: { txt: string[]; policy: string };
  /** TXT records at _smtp._tls.<domain> (TLS-RPT, RFC 8460). */
  tlsRpt?: string[];
  /** DKIM key records by selector (TXT at <selector>._domainkey.<domain>). */
  dkim?: Record<string, string[]>;
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

/** DKIM selectors the lab platform signs with (its profile's `dkim.selectors`). */
export const LAB_DKIM_SELECTORS = ['lab1', 'lab2'];
/** Public keys only (DKIM key records are public data): RSA 2048 and 1024 bits (SubjectPublicKeyInfo), Ed25519 (raw). */
const DKIM_KEYS = {
  rsa2048: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApOMXl/vYZ8eCP/3dAKF6auM/DZa13N5IY/2bRyWhMyuJofFZ6XMM0kUNR8vBRLPKBod853gzV4ZrYY0FcZM708KkO2uEsrnAQVWbq4DVUOhfdm967Ky7L8ssXyY5+mUb/vG7SIV311cZkz7EbAsZLDJD9WKd4vw3TGkny7DiHmoiW8e0NQYA0v0zKpL3/ifxfZeBOHRyMjDKm/rly0xAB/CfApCrsmZ20ejhYECsQU94//6U9hUwEwgoyr2OzmxhqV8yBclaU37dOdrBJXXT9Yk68kOq4IqXLsqh9KOKVptYeTTcjhdNhqSoEZFzRU8XPZPAMHGCBmCN2re57sK0QwIDAQAB',
  rsa1024: 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDWxO1OEEPk5QbTsSid3b7IV+o+p5mxU3uyZL89MtQb0tXbLXZuCgaKAmp+yUQaOAx9GNxrtUp7or8W3vSpigOMWueLyHlxjHOcLLqkPAS/kAgukbK6aoRoqjTaVezYCX1Byl46FKqFvU66mOd4MVvW5+0Fe2wlWeanPGRYsUFrrQIDAQAB',
  ed25519: 'eyH+oqfbxeWtRdj4DsDjITvogybMbazIwaksAYshuVc=',
};
const stsPolicy = (mode: string, mx: string[]) => ['version: STSv1', `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), 'max_age: 604800', ''].join('\r\n');
const goodTlsRpt = ['v=TLSRPTv1; rua=mailto:tls-reports@lab.test'];

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
  // Hostile servers (test/integration/hostile.test.ts): the SRV record leads Autodiscover to them.
  'hostile-xml.test': { mx: goodMx, srv: [0, 0, 443, HOSTILE.autodiscoverUnclosed], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'Autodiscover (SRV) answers 1 MB of unclosed tags' },
  'redirect-loop.test': { mx: goodMx, srv: [0, 0, 443, HOSTILE.redirectLoopA], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'Autodiscover hosts answer HTTP 302 A→B→A' },
  'pox-loop.test': { mx: goodMx, srv: [0, 0, 443, HOSTILE.poxLoopA], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'Autodiscover answers POX redirectUrl A→B→A' },
  'addr-loop.test': { mx: goodMx, srv: [0, 0, 443, HOSTILE.poxLoopA], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'Autodiscover answers POX redirectAddr a@ → b@ → a@' },
  'slow.test': { mx: goodMx, srv: [0, 0, 443, HOSTILE.slowHeaders], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'Autodiscover (SRV) sends its response head one byte per second' },
  // Egress (test/integration/egress-listener.test.ts): every name leads to ADDR.forbidden.
  'egress-forbidden.test': { mx: [[10, FORBIDDEN_HOST]], srv: [0, 0, 443, FORBIDDEN_HOST], address: ADDR.forbidden, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'MX, SRV, the domain and autodiscover.<domain> all resolve to the forbidden address' },
  'egress-literal.test': { mx: [[10, ADDR.forbidden], [20, '0x7f.0.0.6'], [30, '2130706438']], srv: [0, 0, 443, '2130706438'], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'MX and SRV targets spelled as IP literals of the forbidden address' },
  'egress-redirect.test': { mx: goodMx, srv: [0, 0, 443, HOSTILE.toForbidden], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'Autodiscover redirects (302, redirectUrl) and EwsUrl point at the forbidden address' },
  // Credential boundaries (AUTODISCOVER_FAULTS): Autodiscover leads to OUTSIDER_HOST, or stays on the registrable domain.
  'ad-302.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: `autodiscover.<domain> 302-redirects to ${OUTSIDER_HOST} (asks for Basic); the SRV record leads to the platform` },
  'ad-http.test': { mx: goodMx, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: `the http redirect probe points at ${OUTSIDER_HOST}; no SRV (AUTODISCOVER_UNTRUSTED_REDIRECT)` },
  'ad-addr.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'autodiscover.<domain> signs in, then redirectAddr user@outsider.test (AUTODISCOVER_UNTRUSTED_REDIRECT)' },
  'ad-url.test': { mx: goodMx, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: `autodiscover.<domain> signs in, then redirectUrl ${OUTSIDER_HOST}; no SRV (AUTODISCOVER_UNTRUSTED_REDIRECT)` },
  'ad-srv.test': { mx: goodMx, srv: [0, 0, 443, OUTSIDER_HOST], ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: `the SRV record targets ${OUTSIDER_HOST} (SRV_INVALID, AUTODISCOVER_UNTRUSTED_REDIRECT)` },
  'group.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'parent of eu.group.test; autodiscover.group.test serves both' },
  'eu.group.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: false }, note: 'a mailbox domain below group.test: the http probe leads to autodiscover.group.test, on the same registrable domain (healthy; RDAP knows group.test only)' },
  // Provider facts and registrable domains (test/integration/provider-facts.test.ts).
  'eu.healthy.test': { mx: goodMx, srv: goodSrv, spf: goodSpf, rdap: { registered: false }, note: 'a healthy mailbox domain below healthy.test: the registry knows healthy.test only (RDAP is asked about the registrable domain); DMARC inherited' },
  'spf-void.test': { mx: goodMx, srv: goodSrv, spf: [`v=spf1 include:${LAB_SPF_INCLUDE} a:gone1.spf-void.test mx:gone2.spf-void.test exists:gone3.spf-void.test -all`], dmarc: goodDmarc, rdap: { registered: true, expires: inDays(365) }, note: 'SPF names three targets that do not exist: more than 2 void lookups (SPF_INVALID)' },
  // Inbound TLS, MTA-STS, TLS-RPT and DKIM (test/integration/deliverability.test.ts).
  'sts-ok.test': {
    mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) },
    mtaSts: { txt: ['v=STSv1; id=20260101T000000'], policy: stsPolicy('enforce', ['mx1.lab.test', '*.lab.test']) }, tlsRpt: goodTlsRpt,
    dkim: { lab1: [`v=DKIM1; k=rsa; p=${DKIM_KEYS.rsa2048}`], lab2: [`v=DKIM1; k=ed25519; p=${DKIM_KEYS.ed25519}`] },
    note: 'healthy, with MTA-STS enforce, TLS-RPT and DKIM keys at the lab selectors (the OVHcloud stand-in reports DKIM disabled: DKIM_NOT_ENABLED there)',
  },
  'sts-badcert.test': {
    mx: [[10, 'mx-expired.lab.test']], srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) },
    mtaSts: { txt: ['v=STSv1; id=badcert1'], policy: stsPolicy('enforce', ['mx-expired.lab.test']) }, tlsRpt: ['v=TLSRPTv1; rua=ftp://reports.lab.test/tls'],
    note: 'the only MX serves an expired certificate and MTA-STS enforces (MTA_STS_BLOCKS_MAIL; also MX_TLS_INVALID, TLSRPT_INVALID; MX_INVALID: not a platform host)',
  },
  'mx-badcert.test': {
    mx: [[10, 'mx-expired.lab.test']], srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) },
    note: 'the only MX serves an expired certificate, no MTA-STS (MX_TLS_INVALID, warn: senders that do not verify still deliver; MX_INVALID)',
  },
  'sts-mismatch.test': {
    mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) },
    mtaSts: { txt: ['v=STSv1; id=mismatch1'], policy: stsPolicy('enforce', ['mail.elsewhere.test']) },
    note: 'valid MX TLS, but the enforce policy lists another host (MTA_STS_BLOCKS_MAIL)',
  },
  'sts-broken.test': {
    mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) },
    mtaSts: { txt: ['v=STSv1; id=broken1'], policy: 'version: STSv1\nmode: enforced\nmx: mx1.lab.test\n' },
    tlsRpt: ['v=TLSRPTv1; rua=mailto:a@lab.test', 'v=TLSRPTv1; rua=mailto:b@lab.test'],
    note: 'MTA-STS policy with mode "enforced" and no max_age (MTA_STS_INVALID), two TLS-RPT records',
  },
  'dkim-weak.test': {
    mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) },
    dkim: { lab1: [`v=DKIM1; k=rsa; p=${DKIM_KEYS.rsa1024}`] },
    note: 'DKIM key of 1024 bits at lab1 (DKIM_WEAK_KEY)',
  },
  'dkim-broken.test': {
    mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) },
    dkim: { lab1: [`v=DKIM1; k=rsa; p=${DKIM_KEYS.rsa2048.slice(0, 180)}`], lab2: ['v=DKIM1; k=rsa; p='] },
    note: 'DKIM key truncated at lab1, revoked at lab2 (DKIM_INVALID)',
  },
  // A correct password that is refused (test/integration/auth-refusals.test.ts): held by OVH.ipRestricted, a second OVHcloud service.
  'iprestricted.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'held by a second OVHcloud service whose authorised IPs (IMAPS, HTTPS) do not include the lab\'s egress address (IP_NOT_AUTHORIZED)' },
  // The scale bench's domain: its mailboxes (u0001…u1000) live in bulk.ts and are greylisted, so every receive waits.
  'bulk.test': { mx: goodMx, srv: goodSrv, ...goodAuth, rdap: { registered: true, expires: inDays(365) }, note: 'healthy; the mailboxes of test/lab/bulk.ts (scale bench), inbound mail greylisted for 3 s' },
};

export interface ProviderState {
  /** The account's state word, one of OVHcloud's ObjectStateEnum. */
  state: 'ok' | 'suspended' | 'suspending' | 'creating' | 'reopening' | 'deleting' | 'internalMigration';
  spamDetected?: boolean;
  spamTicketNumber?: string;
  /** ISO date; in the past = expired subscription. */
  expirationDate?: string;
  locked?: boolean;
  /** Protocol switches (OVHcloud exchangeAccountProtocol). */
  protocols?: { IMAP: boolean; POP: boolean; activeSync: boolean; webMail: boolean };
  /** Tasks on the account (OVHcloud email.exchange.Task): a TaskFunctionEnum value and TaskStatusEnum. */
  tasks?: Array<{ function: string; status: 'todo' | 'doing' | 'done' | 'error' | 'cancelled' }>;
  /**
   * The account's `authenticationPolicyId`, a key of AUTH_POLICIES; undefined = the default policy
   * (OVH.defaultPolicyId); null = none of its own, so the service's default applies.
   */
  authenticationPolicyId?: number | null;
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
  /** Dovecot checks the password, then refuses the login with `[CONTACTADMIN]` (passdb extra field `nologin`): LOGIN_DISABLED. */
  loginDisabled?: boolean;
  /** Dovecot cannot check the password (its passdb fails internally): `[UNAVAILABLE]` over IMAP (Postfix's SASL makes it `535 5.7.8 … (reason unavailable)`). */
  authTempFail?: boolean;
  /**
   * Headers the lab platform adds, as a real one judges mail: `sent` to what this mailbox submits
   * (an Authentication-Results line), `probe` to inbound mail for it (a spam verdict). Postfix PREPEND.
   */
  platformVerdict?: { sent?: string; probe?: string };
  /** Account state the provider stand-ins report; undefined = unknown to the provider (ACCOUNT_NOT_FOUND). */
  provider?: ProviderState;
  /**
   * Servers refuse this mailbox's password logins over these protocols as its authentication policy
   * would (Dovecot: a deny passdb per service, for `imap`; the HTTPS stand-ins: `ews`, `autodiscover`).
   */
  refuseLegacyAuth?: Array<'imap' | 'ews' | 'autodiscover'>;
  /**
   * Servers accept this mailbox's logins only from these networks, per protocol, as the provider's
   * authorised IPs would (Dovecot `allow_nets` for `imap`; the HTTPS stand-ins for `https`).
   */
  allowNets?: { imap?: string[]; https?: string[] };
  note: string;
}

const okState: ProviderState = { state: 'ok', spamDetected: false, expirationDate: inDays(200), locked: false, protocols: { IMAP: true, POP: true, activeSync: true, webMail: true } };
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
  { address: 'imapoff@healthy.test', password: pw('imapoff'), provider: { ...okState, protocols: { IMAP: false, POP: true, activeSync: true, webMail: true } }, note: 'IMAP switched off for the account (PROTOCOL_DISABLED)' },
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
  ...['ad-302.test', 'ad-http.test', 'ad-addr.test', 'ad-url.test', 'ad-srv.test', 'eu.group.test']
    .map((d) => ({ address: `user@${d}`, password: pw(d.replace(/\.test$/, '')), provider: okState, note: DOMAINS[d].note })),
  // A real mailbox, so that the receive check logs in and then tries the domain's MX (IP literals).
  { address: 'user@egress-literal.test', password: pw('egress-literal'), provider: okState, note: DOMAINS['egress-literal.test'].note },
  { address: 'creating@healthy.test', password: pw('creating'), denyLogin: true, provider: { ...okState, state: 'creating', tasks: [{ function: 'addAccount', status: 'doing' }] }, note: 'the provider is still creating the mailbox (ACCOUNT_NOT_READY): no login is tried' },
  { address: 'migrating@healthy.test', password: pw('migrating'), provider: { ...okState, state: 'internalMigration', tasks: [{ function: 'migrationAccount', status: 'doing' }] }, note: 'the provider is moving the mailbox to another server (ACCOUNT_IN_MIGRATION, warn); logins still work' },
  { address: 'pwchange@healthy.test', password: pw('pwchange'), denyLogin: true, provider: { ...okState, tasks: [{ function: 'diagnoseAccount', status: 'done' }, { function: 'changePassword', status: 'todo' }] }, note: 'a password change is queued: the servers still refuse the new password (AUTH_FAILED explained by ACCOUNT_TASK_PENDING)' },
  ...['eu.healthy.test', 'spf-void.test'].map((d) => ({ address: `user@${d}`, password: pw(d.replace(/\.test$/, '')), provider: okState, note: DOMAINS[d].note })),
  {
    address: 'judged@spf-wrong.test', password: pw('judged'), provider: okState,
    platformVerdict: {
      sent: 'Authentication-Results: ex.lab.test; spf=softfail (127.0.0.1 is not allowed by v=spf1 ip4:192.0.2.0/24 ~all) smtp.mailfrom=judged@spf-wrong.test; dkim=none (message not signed); dmarc=fail (p=quarantine dis=quarantine) header.from=spf-wrong.test',
      probe: 'X-Spam-Status: Yes, score=6.2 required=5.0 tests=LAB_FAULT autolearn=no',
    },
    note: 'the platform judges what this mailbox sends spf=softfail, dkim=none, dmarc=fail (SENT_MAIL_AUTH_FAILED, explained by SPF_INVALID) and marks inbound mail to it as spam',
  },
  ...['sts-ok.test', 'sts-badcert.test', 'mx-badcert.test', 'sts-mismatch.test', 'sts-broken.test', 'dkim-weak.test', 'dkim-broken.test']
    .map((d) => ({ address: `user@${d}`, password: pw(d.replace(/\.test$/, '')), provider: okState, note: DOMAINS[d].note })),
  // A correct password that is refused (test/integration/auth-refusals.test.ts).
  {
    address: 'legacyimap@healthy.test', password: pw('legacyimap'), refuseLegacyAuth: ['imap'], provider: { ...okState, authenticationPolicyId: 2 },
    note: 'its authentication policy (AUTH_POLICIES[2]) blocks legacy IMAP logins: Dovecot refuses its IMAP login, EWS, Autodiscover and submission accept the password (LEGACY_AUTH_BLOCKED)',
  },
  {
    address: 'user@iprestricted.test', password: pw('iprestricted'), allowNets: { imap: ['203.0.113.0/24'], https: ['203.0.113.0/24'] }, provider: { ...okState, authenticationPolicyId: null },
    note: 'its service (OVH.ipRestricted) opens IMAPS and HTTPS to 203.0.113.0/24 only: Dovecot and the HTTPS stand-ins refuse its logins from 127.0.0.1; submission accepts them (IP_NOT_AUTHORIZED); no policy of its own (the service default applies)',
  },
  // The servers' own words for a correct password that is refused (test/integration/auth-replies.test.ts).
  { address: 'nologin@healthy.test', password: pw('nologin'), loginDisabled: true, provider: okState, note: 'Dovecot checks the password, then answers [CONTACTADMIN] Login disabled for this user (passdb nologin): LOGIN_DISABLED' },
  { address: 'tempfail@healthy.test', password: pw('tempfail'), authTempFail: true, provider: okState, note: 'Dovecot\'s passdb fails for this user: IMAP [UNAVAILABLE] (AUTH_UNAVAILABLE, the password not judged); EWS accepts the password' },
  { address: 'exo-smtp@healthy.test', password: pw('exo-smtp'), provider: okState, note: `healthy; under the platform lab-exo-smtp its submission server is ${HOSTILE.exoSmtpAuthDisabled}, which answers AUTH with 535 5.7.139 (LEGACY_AUTH_BLOCKED)` },
  { address: 'wrongpw-replies@healthy.test', password: pw('wrongpw-replies'), provider: okState, note: 'wrong-password scenarios of the auth-replies tests (AUTH_FAILED, judged)' },
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
  /** The policy new accounts get (ExchangeService.defaultAuthenticationPolicyId), a key of AUTH_POLICIES. */
  defaultPolicyId: 1,
  /**
   * A second service of the organisation, holding its own domains, whose authorised IPs leave the
   * lab's egress address (127.0.0.1) out. 203.0.113.0/24 and 198.51.100.0/24 (RFC 5737) are data only:
   * nothing dials them. The `creating` entry is not in force yet (its task has not run).
   */
  ipRestricted: {
    service: 'hosted-lab-2',
    domains: ['iprestricted.test'],
    authorizedIps: [
      { ip: '203.0.113.0/24', status: 'ok', displayName: 'office', protocols: ['HTTPS', 'IMAPS'] },
      { ip: '198.51.100.0/24', status: 'creating', displayName: 'branch (not applied yet)', protocols: ['SMTPS', 'IMAPS'] },
    ],
  },
} as const;

/** Authentication policies of the OVHcloud stand-in by id: the `blockLegacyAuth…`/`blockModernAuth…` flags that are true. */
export const AUTH_POLICIES: Record<number, string[]> = {
  1: [],
  2: ['blockLegacyAuthImap'],
};

export const PROVIDER_HTTP_TOKEN = 'lab-provider-token-0001';

/** Status page component that the lab profile watches, and the open incident of /incident/. */
export const STATUS = {
  component: 'Exchange lab',
  incident: { name: 'Exchange lab: degraded IMAP service', shortlink: 'https://status.lab.test/incidents/lab1' },
};
