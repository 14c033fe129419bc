// What the account check needs to know from a hosting provider, whatever its API.
import type { AuthPolicy, IpRestrictions } from './auth-restrictions.js';

export type { AuthPolicy, IpRestrictions } from './auth-restrictions.js';

/**
 * Where the mailbox is in its life. Every state word a provider publishes maps to one of these
 * (OVHcloud ObjectStateEnum: ok → active; suspended, suspending → suspended; creating; reopening;
 * deleting; internalMigration → migrating); a word we do not know is `unknown`, never `active`.
 */
export type AccountPhase = 'active' | 'suspended' | 'creating' | 'reopening' | 'deleting' | 'migrating' | 'unknown';

/** The `_autodiscover._tcp` SRV record an account's platform expects. */
export interface SrvExpectation { target: string; port: number; priority: number; weight: number }

/** One DNS record kind as the provider sees it: what it expects, what it saw, and its own verdict. */
export interface ProviderRecordView {
  /** The provider's own verdict (OVHcloud `mxIsValid`, `srvIsValid`, `spfIsValid`). */
  valid?: boolean;
  /** What the provider saw in DNS when it last looked, as it wrote it (may be older than our lookup). */
  observed?: string[] | null;
  /** What the provider expects, as it wrote it. */
  expected?: string | string[];
}

/**
 * DKIM signing of the domain at the provider. `state` is OVHcloud's `dkimDiagnostics.state`
 * (active, disabled, error, inProgress, toConfigure); `selectors` are the provider's selectors
 * where it names them (OVHcloud `email.exchange.dkim`: `selectorName`, `status` such as inProduction).
 */
export interface ProviderDkim {
  state?: string;
  errorCode?: number | null;
  message?: string | null;
  selectors?: Array<{ name: string; status?: string }>;
}

/** A provider task on the mailbox that has not finished (queued or running). */
export interface PendingTask { id: number | string; function: string; status: string; since?: string }

export interface AccountState {
  /** Raw provider state word (e.g. OVHcloud `state`: ok, suspended, creating, …). */
  state: string;
  phase: AccountPhase;
  /** Subscription expired (send and receive disabled). */
  expired: boolean;
  expirationDate?: string;
  spamBlocked: boolean;
  spamTicketNumber?: string;
  /** Locked by the security policy (too many failed logins). */
  locked: boolean;
  lockedUntil?: string;
  /** Lockout policy of the service, where the provider tells it. */
  lockoutPolicy?: { threshold?: number; durationMinutes?: number; observationMinutes?: number };
  /** Protocols switched off for this account (lower case: imap, pop, owa, ews, activesync, smtp). */
  disabledProtocols: string[];
  /** The account's server host name (feeds SRV target, webmail, IMAP, SMTP hosts). */
  server?: string;
  /** MX hosts the provider expects for the domain. */
  expectedMx?: string[];
  /** The Autodiscover SRV record the provider expects for the domain. */
  expectedSrv?: SrvExpectation;
  /** The SPF record the provider expects for the domain (one `v=spf1 …` string). */
  expectedSpf?: string;
  /** The provider's own view of the domain's records, shown beside our DNS verdict. */
  providerDns?: { mx?: ProviderRecordView; srv?: ProviderRecordView; spf?: ProviderRecordView };
  /** The domain's DKIM signing as the provider reports it (OVHcloud `dkimDiagnostics`). */
  dkim?: ProviderDkim;
  /** Tasks on the mailbox still queued or running (a change not yet applied). */
  pendingTasks?: PendingTask[];
  /** State of the whole service, where it differs from "ok" (e.g. OVHcloud `inMaintenance`). */
  serviceState?: string;
  /**
   * The authentication policy that applies to the account (OVHcloud: the account's
   * `authenticationPolicyId`, else the service's `defaultAuthenticationPolicyId`); absent = unknown.
   */
  authPolicy?: AuthPolicy;
  /** The service's authorised IPs per protocol flag (OVHcloud `authorizedIp`); absent = unknown. */
  ipRestrictions?: IpRestrictions;
}

export type AccountLookup =
  | { found: true; account: AccountState; evidence: Record<string, unknown> }
  | { found: false; evidence: Record<string, unknown> };

export interface AccountProvider {
  readonly name: 'none' | 'ovhcloud' | 'http';
  /** Throws ProviderError when the provider could not answer (our side: status `error`). */
  lookup(email: string, signal: AbortSignal): Promise<AccountLookup>;
}

export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(message: string, readonly evidence: Record<string, unknown> = {}) {
    super(message);
  }
}
