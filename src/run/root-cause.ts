// Root-cause rules in one place: which finding explains which other finding.
// A cause that nothing else explains is independent; the first of those in RANK is primary.
import type { Code } from '../diagnostics/codes.js';
import type { CheckResult, CheckStatus, DiagnosticReport, Verdict } from '../diagnostics/types.js';

const LOGIN = ['AUTH_FAILED', 'AUTODISCOVER_FAILED', 'BASIC_AUTH_DISABLED', 'LEGACY_AUTH_BLOCKED', 'PASSWORD_EXPIRED', 'LOGIN_DISABLED', 'AUTH_UNAVAILABLE'] as const;
const INBOUND = ['MAIL_NOT_RECEIVED', 'MX_REJECTED', 'MAIL_DELAYED'] as const;
const REACH = ['WEBMAIL_UNREACHABLE', 'IMAP_UNREACHABLE', 'SMTP_UNREACHABLE'] as const;

/** cause → findings it explains. */
export const EXPLAINS: Partial<Record<Code, readonly Code[]>> = {
  ACCOUNT_NOT_FOUND: [...LOGIN, ...INBOUND, 'SEND_REJECTED', 'MAIL_IN_JUNK'],
  ACCOUNT_SUSPENDED: [...LOGIN, ...INBOUND, 'SEND_REJECTED'],
  ACCOUNT_EXPIRED: [...LOGIN, ...INBOUND, 'SEND_REJECTED'],
  ACCOUNT_LOCKED: [...LOGIN, 'SEND_REJECTED'],
  ACCOUNT_SPAM_BLOCKED: ['SEND_REJECTED'],
  // A mailbox not yet created, or being deleted, cannot log in, send or receive.
  ACCOUNT_NOT_READY: [...LOGIN, ...INBOUND, 'SEND_REJECTED', 'MAIL_IN_JUNK'],
  ACCOUNT_DELETING: [...LOGIN, ...INBOUND, 'SEND_REJECTED', 'MAIL_IN_JUNK'],
  // Transient while the provider works on the mailbox: a move drops access and delays mail for a
  // while; a queued change (a new password, protocol switches) is not applied yet.
  ACCOUNT_IN_MIGRATION: [...LOGIN, ...INBOUND, 'SEND_REJECTED'],
  ACCOUNT_TASK_PENDING: [...LOGIN, 'SEND_REJECTED'],
  PROTOCOL_DISABLED: ['AUTH_FAILED', 'BASIC_AUTH_DISABLED'],
  DOMAIN_NOT_REGISTERED: ['MX_MISSING', 'MX_INVALID', 'SRV_MISSING', 'SRV_INVALID', 'AUTODISCOVER_FAILED', 'AUTODISCOVER_UNTRUSTED_REDIRECT', ...INBOUND],
  DOMAIN_EXPIRED: ['MX_MISSING', 'MX_INVALID', 'SRV_MISSING', 'SRV_INVALID', 'AUTODISCOVER_FAILED', 'AUTODISCOVER_UNTRUSTED_REDIRECT', ...INBOUND],
  MX_MISSING: INBOUND,
  // The TLS of an MX that is not the platform's is not the platform's to fix: pointing the MX right fixes it.
  MX_INVALID: [...INBOUND, 'MX_TLS_INVALID', 'MX_STARTTLS_MISSING'],
  // Our probe does not apply MTA-STS, but the senders that do turn away: "some senders cannot reach me".
  MTA_STS_BLOCKS_MAIL: ['MAIL_NOT_RECEIVED'],
  SRV_MISSING: ['AUTODISCOVER_FAILED'],
  SRV_INVALID: ['AUTODISCOVER_FAILED'],
  AUTH_FAILED: ['AUTODISCOVER_FAILED', 'SEND_REJECTED'],
  // The provider (or the server) refuses the protocol itself: the login findings of that protocol
  // follow from it, and say nothing against the password.
  LEGACY_AUTH_BLOCKED: ['AUTH_FAILED', 'AUTODISCOVER_FAILED', 'BASIC_AUTH_DISABLED'],
  IP_NOT_AUTHORIZED: ['AUTH_FAILED', 'AUTODISCOVER_FAILED', 'BASIC_AUTH_DISABLED', ...REACH],
  PASSWORD_EXPIRED: ['AUTH_FAILED', 'AUTODISCOVER_FAILED', 'SEND_REJECTED'],
  LOGIN_DISABLED: ['AUTH_FAILED', 'AUTODISCOVER_FAILED', 'SEND_REJECTED', 'PASSWORD_EXPIRED'],
  TLS_INVALID: ['AUTODISCOVER_FAILED', ...REACH],
  INCIDENT_OPEN: [...REACH, ...INBOUND, 'AUTODISCOVER_FAILED', 'SEND_REJECTED', 'TLS_INVALID', 'AUTH_UNAVAILABLE'],
  IMAP_UNREACHABLE: ['MAIL_NOT_RECEIVED'],
  // Why the platform's verdict on mail sent from the account fails ("my mail lands in spam").
  SPF_MISSING: ['SENT_MAIL_AUTH_FAILED'],
  SPF_INVALID: ['SENT_MAIL_AUTH_FAILED'],
  DKIM_NOT_PUBLISHED: ['SENT_MAIL_AUTH_FAILED'],
  DKIM_INVALID: ['SENT_MAIL_AUTH_FAILED'],
  DKIM_NOT_ENABLED: ['SENT_MAIL_AUTH_FAILED'],
};

/** Most fundamental first: the primary cause is the first unexplained one in this order. */
export const RANK: readonly Code[] = [
  'DOMAIN_NOT_REGISTERED', 'DOMAIN_EXPIRED', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_DELETING', 'ACCOUNT_EXPIRED', 'ACCOUNT_SUSPENDED',
  'ACCOUNT_NOT_READY', 'ACCOUNT_LOCKED', 'ACCOUNT_SPAM_BLOCKED', 'ACCOUNT_IN_MIGRATION', 'ACCOUNT_TASK_PENDING', 'INCIDENT_OPEN',
  'IP_NOT_AUTHORIZED', 'LEGACY_AUTH_BLOCKED', 'LOGIN_DISABLED', 'PASSWORD_EXPIRED', 'AUTH_UNAVAILABLE', 'AUTH_FAILED', 'PROTOCOL_DISABLED', 'BASIC_AUTH_DISABLED',
  'MX_MISSING', 'MX_INVALID', 'MTA_STS_BLOCKS_MAIL', 'TLS_INVALID', 'TLS_EXPIRING', 'WEBMAIL_UNREACHABLE', 'IMAP_UNREACHABLE', 'SMTP_UNREACHABLE',
  'SEND_REJECTED', 'MX_REJECTED', 'MAIL_NOT_RECEIVED', 'AUTODISCOVER_UNTRUSTED_REDIRECT', 'SRV_MISSING', 'SRV_INVALID', 'AUTODISCOVER_FAILED',
  'MAIL_IN_JUNK', 'MAIL_DELAYED', 'OUTBOUND_IP_LISTED', 'DOMAIN_EXPIRING', 'MX_TLS_INVALID', 'MX_STARTTLS_MISSING', 'MTA_STS_INVALID',
  'OUTBOUND_RDNS_INVALID', 'DKIM_NOT_PUBLISHED', 'DKIM_INVALID', 'DKIM_NOT_ENABLED', 'SPF_MISSING', 'SPF_INVALID', 'DMARC_MISSING', 'DMARC_INVALID',
  'SENT_MAIL_AUTH_FAILED', 'DKIM_WEAK_KEY', 'TLSRPT_INVALID',
];

const STATUS_ORDER: Record<CheckStatus, number> = { pass: 0, skipped: 1, warn: 2, error: 3, fail: 4 };
export const worst = (a: CheckStatus, b: CheckStatus): CheckStatus => (STATUS_ORDER[b] > STATUS_ORDER[a] ? b : a);

const rankOf = (code: Code) => { const i = RANK.indexOf(code); return i < 0 ? RANK.length : i; };
const isFinding = (c: CheckResult) => (c.status === 'fail' || c.status === 'warn') && !!c.code;

/**
 * Marks each finding (fail or warn with a code) explained by another finding, and folds the
 * results into a verdict. `error` results make the verdict inconclusive unless something fails.
 */
export function analyse(checks: CheckResult[]): Omit<DiagnosticReport, 'durationMs'> {
  const present = new Set(checks.filter(isFinding).map((c) => c.code as Code));
  const out = checks.map((c) => {
    if (!isFinding(c)) return c;
    const by = RANK.find((cause) => cause !== c.code && present.has(cause) && EXPLAINS[cause]?.includes(c.code as Code));
    return by ? { ...c, explainedBy: by } : c;
  });
  const independent = out.filter((c) => isFinding(c) && !c.explainedBy);
  const byRank = (a: Code, b: Code) => rankOf(a) - rankOf(b);
  const failing = independent.filter((c) => c.status === 'fail').map((c) => c.code as Code).sort(byRank);
  const explainers = new Set(out.map((c) => c.explainedBy).filter((c): c is Code => !!c));
  // A warning that explains a failure (an open incident) counts with the failures.
  const warning = independent.filter((c) => c.status === 'warn').map((c) => c.code as Code);
  const weighty = [...new Set([...failing, ...warning.filter((w) => explainers.has(w))])].sort(byRank);
  const causes = [...new Set([...weighty, ...warning.sort(byRank)])];
  const overall = checks.reduce<CheckStatus>((acc, c) => worst(acc, c.status), 'pass');
  const verdict: Verdict = overall === 'fail' ? 'failing' : overall === 'error' ? 'inconclusive' : overall === 'warn' ? 'degraded' : 'healthy';
  return { verdict, primaryCause: causes[0], causes, checks: out };
}
