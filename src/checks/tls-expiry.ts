// "Is the certificate about to expire?" decided once for every check that verifies one (imap, send,
// webmail, autodiscover), so TLS_EXPIRING means the same threshold and evidence everywhere.
import type { CheckOutcome } from '../diagnostics/types.js';
import type { CertSummary, TlsInspection } from '../net/tls-inspect.js';

const DAY = 24 * 3600 * 1000;

/** The evidence of TLS_EXPIRING. */
export interface CertExpiry {
  host: string;
  /** ISO date after which clients refuse the certificate. */
  notAfter: string;
  /** Whole days left, rounded up (as DOMAIN_EXPIRING counts them). */
  daysLeft: number;
  subject?: string;
  issuer?: string;
}

/**
 * The expiry of a certificate that verified, when it falls within `warnDays` days of `now`;
 * undefined when it does not (or the certificate gives no date). `warnDays` 0 never warns.
 */
export function certExpiring(host: string, cert: CertSummary | undefined, now: number, warnDays: number): CertExpiry | undefined {
  const notAfter = cert?.validTo ? Date.parse(cert.validTo) : NaN;
  if (!Number.isFinite(notAfter) || warnDays <= 0) return undefined;
  const left = notAfter - now;
  if (left >= warnDays * DAY) return undefined;
  return {
    host,
    notAfter: new Date(notAfter).toISOString(),
    daysLeft: Math.max(0, Math.ceil(left / DAY)),
    ...(cert?.subject ? { subject: cert.subject } : {}),
    ...(cert?.issuer ? { issuer: cert.issuer } : {}),
  };
}

/** The same for a mail session's own TLS facts (`evidence.tls`): only a verified session counts. */
export function sessionCertExpiring(host: string, tls: unknown, now: number, warnDays: number): CertExpiry | undefined {
  const t = tls as TlsInspection | undefined;
  return t?.authorized === true ? certExpiring(host, t.cert, now, warnDays) : undefined;
}

/**
 * A check whose purpose succeeded but whose certificate expires soon becomes `warn` TLS_EXPIRING.
 * A finding of the check's own (AUTH_FAILED, …) keeps priority: the expiry goes in its evidence.
 */
export function withCertExpiry(outcome: CheckOutcome, expiry: CertExpiry | undefined): CheckOutcome {
  if (!expiry || outcome.status === 'skipped') return outcome;
  if (outcome.status === 'pass') {
    const when = `${expiry.notAfter.slice(0, 10)}, in ${expiry.daysLeft} day${expiry.daysLeft === 1 ? '' : 's'}`;
    return {
      status: 'warn', code: 'TLS_EXPIRING',
      message: `${outcome.message}, but the certificate of ${expiry.host} expires on ${when}`,
      evidence: { ...outcome.evidence, ...expiry },
    };
  }
  return { ...outcome, evidence: { ...outcome.evidence, tlsExpiring: expiry } };
}
