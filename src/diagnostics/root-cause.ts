// Root-cause rules in one place: which finding explains which other finding.
// A cause that nothing else explains is independent; the first of those in RANK is primary.
import type { Code } from './codes.js';
import type { CheckResult, CheckStatus, DiagnosticReport, Verdict } from './types.js';

const LOGIN = ['AUTH_FAILED', 'AUTODISCOVER_FAILED', 'BASIC_AUTH_DISABLED'] as const;
const INBOUND = ['MAIL_NOT_RECEIVED', 'MX_REJECTED', 'MAIL_DELAYED'] as const;
const REACH = ['WEBMAIL_UNREACHABLE', 'IMAP_UNREACHABLE', 'SMTP_UNREACHABLE'] as const;

/** cause → findings it explains. */
export const EXPLAINS: Partial<Record<Code, readonly Code[]>> = {
  ACCOUNT_NOT_FOUND: [...LOGIN, ...INBOUND, 'SEND_REJECTED', 'MAIL_IN_JUNK'],
  ACCOUNT_SUSPENDED: [...LOGIN, ...INBOUND, 'SEND_REJECTED'],
  ACCOUNT_EXPIRED: [...LOGIN, ...INBOUND, 'SEND_REJECTED'],
  ACCOUNT_LOCKED: [...LOGIN, 'SEND_REJECTED'],
  ACCOUNT_SPAM_BLOCKED: ['SEND_REJECTED'],
  PROTOCOL_DISABLED: ['AUTH_FAILED', 'BASIC_AUTH_DISABLED'],
  DOMAIN_NOT_REGISTERED: ['MX_MISSING', 'MX_INVALID', 'SRV_MISSING', 'SRV_INVALID', 'AUTODISCOVER_FAILED', ...INBOUND],
  DOMAIN_EXPIRED: ['MX_MISSING', 'MX_INVALID', 'SRV_MISSING', 'SRV_INVALID', 'AUTODISCOVER_FAILED', ...INBOUND],
  MX_MISSING: INBOUND,
  MX_INVALID: INBOUND,
  SRV_MISSING: ['AUTODISCOVER_FAILED'],
  SRV_INVALID: ['AUTODISCOVER_FAILED'],
  AUTH_FAILED: ['AUTODISCOVER_FAILED', 'SEND_REJECTED'],
  TLS_INVALID: ['AUTODISCOVER_FAILED', ...REACH],
  INCIDENT_OPEN: [...REACH, ...INBOUND, 'AUTODISCOVER_FAILED', 'SEND_REJECTED', 'TLS_INVALID'],
  IMAP_UNREACHABLE: ['MAIL_NOT_RECEIVED'],
};

/** Most fundamental first: the primary cause is the first unexplained one in this order. */
export const RANK: readonly Code[] = [
  'DOMAIN_NOT_REGISTERED', 'DOMAIN_EXPIRED', 'ACCOUNT_NOT_FOUND', 'ACCOUNT_EXPIRED', 'ACCOUNT_SUSPENDED',
  'ACCOUNT_LOCKED', 'ACCOUNT_SPAM_BLOCKED', 'INCIDENT_OPEN', 'AUTH_FAILED', 'PROTOCOL_DISABLED', 'BASIC_AUTH_DISABLED',
  'MX_MISSING', 'MX_INVALID', 'TLS_INVALID', 'WEBMAIL_UNREACHABLE', 'IMAP_UNREACHABLE', 'SMTP_UNREACHABLE',
  'SEND_REJECTED', 'MX_REJECTED', 'MAIL_NOT_RECEIVED', 'SRV_MISSING', 'SRV_INVALID', 'AUTODISCOVER_FAILED',
  'MAIL_IN_JUNK', 'MAIL_DELAYED', 'DOMAIN_EXPIRING',
];

const STATUS_ORDER: Record<CheckStatus, number> = { pass: 0, skipped: 1, warn: 2, error: 3, fail: 4 };
export const worst = (a: CheckStatus, b: CheckStatus): CheckStatus => (STATUS_ORDER[b] > STATUS_ORDER[a] ? b : a);

/**
 * Marks each finding explained by another finding, and folds the results into a verdict.
 * Only findings with status fail or warn take part; `error` results make the verdict inconclusive
 * unless something already fails.
 */
export function analyse(checks: CheckResult[]): Omit<DiagnosticReport, 'durationMs' | 'checks'> & { checks: CheckResult[] } {
  const findings = checks.filter((c) => (c.status === 'fail' || c.status === 'warn') && c.code);
  // INCIDENT_OPEN is only a warning: it explains reachability problems but never outranks a failing account/domain cause.
  const present = new Set(findings.map((c) => c.code as Code));
  const out = checks.map((c) => {
    if (!c.code || !(c.status === 'fail' || c.status === 'warn')) return c;
    const by = RANK.find((cause) => cause !== c.code && present.has(cause) && EXPLAINS[cause]?.includes(c.code as Code)));
    return by ? { ...c, explainedBy: by } : c;
  });
  const rank = (code: Code) => { const i = RANK.indexOf(code); return i < 0 ? RANK.length : i; };
  const failing = out.filter((c) => c.status === 'fail' && c.code && !c.explainedBy).map((c) => c.code as Code);
  const warning = out.filter((c) => c.status === 'warn' && c.code && !c.explainedBy).map((c) => c.code as Code);
  const causes = [...new Set([...failing.sort((a, b) => rank(a) - rank(b)), ...warning.sort((a, b) => rank(a) - rank(b))])];
  const overall = checks.reduce<CheckStatus>((acc, c) => worst(acc, c.status), 'pass');
  const verdict: Verdict = overall === 'fail' ? 'failing' : overall === 'error' ? 'inconclusive' : overall === 'warn' ? 'degraded' : 'healthy';
  // A warning that explains a failure (an open incident) is the primary cause of that failure.
  const primaryCause = pickPrimary(out, causes);
  return { verdict, primaryCause, causes, checks: out };
}

function pickPrimary(checks: CheckResult[], causes: Code[]): Code | undefined {
  const explainers = new Set(checks.map((c) => c.explainedBy).filter(Boolean) as Code[]);
  const failingOrExplaining = causes.filter((c) => checks.some((r) => r.code === c && r.status === 'fail') || explainers.has(c));
  const rank = (code: Code) => RANK.indexOf(code);
  return [...failingOrExplaining].sort((a, b) => rank(a) - rank(b))[0] ?? causes[0];
}

