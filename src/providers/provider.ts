// What the account check needs to know from a hosting provider, whatever its API.
export interface AccountState {
  /** Raw provider state word (e.g. OVHcloud `state`: ok, suspended, …). */
  state: string;
  suspended: boolean;
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
