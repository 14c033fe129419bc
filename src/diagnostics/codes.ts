// The one catalogue of diagnostic codes: which check reports it and how bad it is.
// Localised titles, explanations and fixes live in remediation.ts, keyed by these codes.
import type { CheckStatus } from './status.js';

export const CODES = {
  ACCOUNT_NOT_FOUND: { severity: 'fail', checks: ['account'] },
  ACCOUNT_SUSPENDED: { severity: 'fail', checks: ['account'] },
  ACCOUNT_EXPIRED: { severity: 'fail', checks: ['account'] },
  ACCOUNT_SPAM_BLOCKED: { severity: 'fail', checks: ['account'] },
  ACCOUNT_LOCKED: { severity: 'fail', checks: ['account'] },
  PROTOCOL_DISABLED: { severity: 'fail', checks: ['account'] },
  /** The provider is still creating (or reopening) the mailbox: no login or delivery can work yet. */
  ACCOUNT_NOT_READY: { severity: 'fail', checks: ['account'] },
  /** The provider is deleting the mailbox. */
  ACCOUNT_DELETING: { severity: 'fail', checks: ['account'] },
  /** The provider is moving the mailbox between servers: access may drop for a while. */
  ACCOUNT_IN_MIGRATION: { severity: 'warn', checks: ['account'] },
  /** A change on the mailbox (password, protocols, …) is queued or running at the provider. */
  ACCOUNT_TASK_PENDING: { severity: 'warn', checks: ['account'] },
  DOMAIN_NOT_REGISTERED: { severity: 'fail', checks: ['domain'] },
  DOMAIN_EXPIRED: { severity: 'fail', checks: ['domain'] },
  DOMAIN_EXPIRING: { severity: 'warn', checks: ['domain'] },
  MX_MISSING: { severity: 'fail', checks: ['mx'] },
  MX_INVALID: { severity: 'fail', checks: ['mx'] },
  SRV_MISSING: { severity: 'fail', checks: ['srv'] },
  SRV_INVALID: { severity: 'fail', checks: ['srv'] },
  AUTODISCOVER_FAILED: { severity: 'fail', checks: ['autodiscover'] },
  /** Autodiscover only reached endpoints outside the mailbox's domain and the platform: the password was withheld. */
  AUTODISCOVER_UNTRUSTED_REDIRECT: { severity: 'fail', checks: ['autodiscover'] },
  AUTH_FAILED: { severity: 'fail', checks: ['webmail', 'imap', 'send', 'autodiscover'] },
  BASIC_AUTH_DISABLED: { severity: 'fail', checks: ['webmail'] },
  /**
   * Basic (legacy) authentication is blocked for this protocol: by the provider's authentication
   * policy (OVHcloud blockLegacyAuth*: the password is then never sent) or in the server's own words
   * (SMTP 535 5.7.139). Says nothing against the password.
   */
  LEGACY_AUTH_BLOCKED: { severity: 'fail', checks: ['imap', 'send', 'webmail', 'autodiscover'] },
  /** The service admits this protocol only from authorised IPs, and the diagnostic's egress addresses are not among them. */
  IP_NOT_AUTHORIZED: { severity: 'fail', checks: ['imap', 'send', 'webmail', 'autodiscover'] },
  /** The server says the password has expired and must be changed (IMAP [EXPIRED], SMTP 432 4.7.12). */
  PASSWORD_EXPIRED: { severity: 'fail', checks: ['imap', 'send', 'webmail'] },
  /** The server says this account may not log in: an administrator must act (IMAP [CONTACTADMIN]). */
  LOGIN_DISABLED: { severity: 'fail', checks: ['imap', 'send', 'webmail'] },
  /** The server could not check the password for now (IMAP [UNAVAILABLE], SMTP 454 4.7.0): the password was not judged. */
  AUTH_UNAVAILABLE: { severity: 'fail', checks: ['imap', 'send', 'webmail'] },
  WEBMAIL_UNREACHABLE: { severity: 'fail', checks: ['webmail'] },
  IMAP_UNREACHABLE: { severity: 'fail', checks: ['imap', 'receive'] },
  TLS_INVALID: { severity: 'fail', checks: ['imap', 'send', 'webmail', 'autodiscover'] },
  TLS_EXPIRING: { severity: 'warn', checks: ['imap', 'send', 'webmail', 'autodiscover', 'mx-tls'] },
  SEND_REJECTED: { severity: 'fail', checks: ['send'] },
  SMTP_UNREACHABLE: { severity: 'fail', checks: ['send'] },
  MX_REJECTED: { severity: 'fail', checks: ['receive'] },
  MAIL_NOT_RECEIVED: { severity: 'fail', checks: ['receive'] },
  MAIL_IN_JUNK: { severity: 'warn', checks: ['receive'] },
  MAIL_DELAYED: { severity: 'warn', checks: ['receive'] },
  INCIDENT_OPEN: { severity: 'warn', checks: ['incidents'] },
  SPF_MISSING: { severity: 'warn', checks: ['spf'] },
  SPF_INVALID: { severity: 'warn', checks: ['spf'] },
  DMARC_MISSING: { severity: 'warn', checks: ['dmarc'] },
  DMARC_INVALID: { severity: 'warn', checks: ['dmarc'] },
  /** An MX offers STARTTLS with a certificate that does not verify for its name, or an outdated TLS version. */
  MX_TLS_INVALID: { severity: 'warn', checks: ['mx-tls'] },
  /** An MX does not offer STARTTLS: mail reaches it in clear text. */
  MX_STARTTLS_MISSING: { severity: 'warn', checks: ['mx-tls'] },
  /** MTA-STS is published but senders cannot use it (policy missing or invalid, MX not listed). */
  MTA_STS_INVALID: { severity: 'warn', checks: ['mx-tls'] },
  /** MTA-STS in enforce mode and no MX passes it: senders that honour it do not deliver. */
  MTA_STS_BLOCKS_MAIL: { severity: 'fail', checks: ['mx-tls'] },
  /** The TLS-RPT record (RFC 8460) cannot be used by senders. */
  TLSRPT_INVALID: { severity: 'warn', checks: ['mx-tls'] },
  /** The provider signs with a DKIM selector whose key is not in DNS ("used but not published"). */
  DKIM_NOT_PUBLISHED: { severity: 'warn', checks: ['dkim'] },
  /** A DKIM key record cannot be used by verifiers, or the provider reports its DKIM in error. */
  DKIM_INVALID: { severity: 'warn', checks: ['dkim'] },
  /** A DKIM RSA key shorter than 2048 bits (RFC 8301). */
  DKIM_WEAK_KEY: { severity: 'warn', checks: ['dkim'] },
  /** A DKIM key is published at the platform's selector but the provider does not sign ("published but not used"). */
  DKIM_NOT_ENABLED: { severity: 'warn', checks: ['dkim'] },
  /** The platform judged the message sent through the account: SPF, DKIM or DMARC failed (Authentication-Results). */
  SENT_MAIL_AUTH_FAILED: { severity: 'warn', checks: ['mail-auth'] },
  /** An outbound address of the platform is on a DNS blocklist. */
  OUTBOUND_IP_LISTED: { severity: 'warn', checks: ['outbound'] },
  /** An outbound address of the platform has no reverse DNS, or one that does not resolve back to it. */
  OUTBOUND_RDNS_INVALID: { severity: 'warn', checks: ['outbound'] },
  /** We could not decide: our side (resolver, provider API, status page) failed or timed out. */
  CHECK_TIMEOUT: { severity: 'error', checks: [] },
  CHECK_ERROR: { severity: 'error', checks: [] },
  DNS_ERROR: { severity: 'error', checks: ['mx', 'srv', 'receive', 'spf', 'dmarc', 'mx-tls', 'dkim', 'outbound'] },
  PROVIDER_ERROR: { severity: 'error', checks: ['account'] },
  RDAP_ERROR: { severity: 'error', checks: ['domain'] },
  STATUS_PAGE_ERROR: { severity: 'error', checks: ['incidents'] },
  DEADLINE_EXCEEDED: { severity: 'error', checks: [] },
} as const satisfies Record<string, { severity: CheckStatus; checks: readonly string[] }>;

export type Code = keyof typeof CODES;
export const ALL_CODES = Object.keys(CODES) as Code[];
export const isCode = (s: unknown): s is Code => typeof s === 'string' && s in CODES;
