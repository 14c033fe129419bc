// The result model shared by checks, the runner, the API, reports and webhooks.
// Outcome (status), verdict code and technical evidence stay separate fields.
import type { Logger } from 'pino';
import type { AccountState, AuthPolicy, IpRestrictions, ProviderDkim, SrvExpectation } from '../providers/provider.js';
import type { IpFlag } from '../providers/auth-restrictions.js';
import type { CheckDeps } from './deps.js';
import type { ResolvedPlatform } from '../platforms/profile.js';
import type { Code } from './codes.js';
import type { CheckStatus } from './status.js';

export const CHECK_IDS = [
  'account', 'domain', 'mx', 'mx-tls', 'srv', 'spf', 'dmarc', 'dkim', 'autodiscover', 'webmail', 'imap', 'send', 'receive', 'mail-auth', 'outbound', 'incidents',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export { CHECK_STATUSES, type CheckStatus } from './status.js';

export type Locale = 'fr' | 'en';

export interface Remediation {
  title: string;
  text: string;
  link?: string;
}

/** What a check returns. The runner adds id, durationMs, remediation and explainedBy. */
export interface CheckOutcome {
  status: CheckStatus;
  code?: Code;
  /** Short, human, English; never contains a credential. */
  message: string;
  evidence: Record<string, unknown>;
}

export interface CheckResult extends CheckOutcome {
  id: CheckId;
  durationMs: number;
  startedAt: string;
  /** Localised explanation and fix for `code` (absent on pass). */
  remediation?: { fr: Remediation; en: Remediation };
  /** For a failure explained by another check's failure: that failure's code. */
  explainedBy?: Code;
  /** For a skipped check: the prerequisite that failed. */
  skippedBecause?: { check: CheckId; code?: Code };
}

/**
 * Credentials guard shared by all checks of one run: lockout safety lives here.
 * Until one login has succeeded, logins are serialised: a second check waits for the first
 * one's verdict, so a wrong password costs exactly one failed login in the whole run.
 */
export interface CredentialGuard {
  /** The password, or undefined when a login already failed (do not try again). May wait. */
  acquire(check: CheckId): Promise<string | undefined>;
  /** The server accepted the credentials over `protocol`. */
  succeeded(check: CheckId, protocol: string): void;
  /** The server rejected the credentials over `protocol` (the check reports AUTH_FAILED). */
  /** `code`: what the refusal meant (AUTH_FAILED by default; LOGIN_DISABLED, PASSWORD_EXPIRED …). */
  failed(check: CheckId, protocol: string, code?: Code): void;
  readonly failedLogins: ReadonlyArray<{ check: CheckId; protocol: string }>;
  /** The check that got AUTH_FAILED, if any. */
  readonly rejectedBy?: CheckId;
  /** The code of that refusal (AUTH_FAILED unless the server said more). */
  readonly rejectedCode?: Code;
  /** Checks whose login the server accepted in this run (the password is right), in order. */
  readonly verifiedBy: ReadonlyArray<{ check: CheckId; protocol: string }>;
}

/** Facts a check learned that later checks use (e.g. the provider's server hostname). */
export interface SharedFacts {
  /** Account server hostname reported by the provider (feeds expected SRV target / hosts). */
  server?: string;
  /** Expected MX hosts reported by the provider for the domain. */
  expectedMx?: string[];
  /** The Autodiscover SRV record the provider expects for the domain. */
  expectedSrv?: SrvExpectation;
  /** The SPF record the provider expects for the domain. */
  expectedSpf?: string;
  /** The provider's own view of the domain's MX, SRV and SPF (its verdicts, what it saw). */
  providerDns?: AccountState['providerDns'];
  /** The domain's DKIM signing as the provider reports it (state, selectors). */
  providerDkim?: ProviderDkim;
  /** Protocols the provider says are disabled for this account (e.g. 'imap'). */
  disabledProtocols?: string[];
  /** Provider says no login can succeed (locked/suspended/expired): do not spend a login. */
  loginBlocked?: Code;
  /** Provider says sending is blocked (spam). */
  sendBlocked?: Code;
  /** The provider's authentication policy for the account: protocols whose Basic (legacy) logins it blocks. */
  authPolicy?: AuthPolicy;
  /** The provider's authorised IPs per protocol flag (HTTPS, IMAPS, SMTPS, …). */
  ipRestrictions?: IpRestrictions;
  /**
   * Logins that went ahead on an IP-restricted protocol while our egress addresses are unknown
   * (EGRESS_ADDRESSES empty), by check: if that login is refused, the restriction may be why.
   */
  unverifiedIpRestriction?: Partial<Record<CheckId, { flag: IpFlag; allowed: string[] }>>;
  /** Message-ID/token of the message the send check submitted (for an arrival check). */
  sentToken?: string;
  /**
   * Header fields the platform added to the test messages, read by the receive check before it
   * deleted them: `probe` (its inbound message) and `sent` (the send check's), raw.
   */
  testMessageHeaders?: { probe?: { folder: string; headers: string }; sent?: { folder: string; headers: string }; error?: string };
}

export interface CheckContext {
  diagnosticId: string;
  account: string;
  localPart: string;
  domain: string;
  platform: ResolvedPlatform;
  credentials: CredentialGuard;
  facts: SharedFacts;
  /** The checks of this run (a check may do work that another one would otherwise do). */
  selected: ReadonlySet<CheckId>;
  /** Results of the checks this one depends on (all finished before it started). */
  results: Partial<Record<CheckId, CheckResult>>;
  signal: AbortSignal;
  /** Absolute deadline for this check, epoch ms (the runner aborts `signal` at that time). */
  deadline: number;
  deps: CheckDeps;
  log: Logger;
}

export interface CheckDefinition {
  id: CheckId;
  /** Checks that must finish first (their results and facts are read); order only. */
  after: CheckId[];
  /** Checks that must end pass or warn, else this one is skipped naming the first that did not. */
  requires: CheckId[];
  /** Uses the password: lockout rules apply. */
  usesPassword: boolean;
  /** Default timeout in ms (config may override). */
  timeoutMs: number;
  /** Decide from prerequisite results whether to run; return a skip reason to skip. */
  shouldSkip?(ctx: CheckContext): { check: CheckId; code?: Code; message: string } | undefined;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export type DiagnosticStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type Verdict = 'healthy' | 'degraded' | 'failing' | 'inconclusive';

export interface DiagnosticReport {
  verdict: Verdict;
  primaryCause?: Code;
  /** Independent causes (primary first). */
  causes: Code[];
  checks: CheckResult[];
  durationMs: number;
}
