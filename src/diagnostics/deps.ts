// The I/O a check may use, passed in so that a check runs against the lab or a real host unchanged.
import type { Net } from '../net/index.js';
import type { AccountProvider } from '../providers/provider.js';

export interface CheckSettings {
  mxPort: number;
  heloName: string;
  testMailFrom: string;
  receiveTimeoutMs: number;
  mailDelayedAfterMs: number;
  domainExpiringDays: number;
  /** A verified certificate that expires within this many days is TLS_EXPIRING (warn); 0 never warns. */
  tlsExpiringDays: number;
  /** DNS blocklist zones (RFC 5782) the platform's outbound addresses are looked up in. */
  dnsblZones?: string[];
  rdapBaseUrl?: string;
  rdapBootstrapFile?: string;
  rdapBootstrapUrl?: string;
  /** The deployment's egress (public / NAT) addresses, from EGRESS_ADDRESSES; empty or absent = unknown. */
  egressAddresses?: string[];
}

/** The IANA RDAP bootstrap registry (RFC 9224): TLD lists and their RDAP base URLs. */
export interface RdapBootstrap { services: Array<[string[], string[]]> }

export interface CheckDeps {
  /** The only way out: resolver, HTTP client, SMTP/IMAP/TLS connectors, all under the egress policy. */
  net: Net;
  provider: AccountProvider;
  settings: CheckSettings;
  /** The RDAP bootstrap registry from a URL, cached across runs (absent: not fetched). */
  rdapBootstrap?: (url: string, signal: AbortSignal) => Promise<RdapBootstrap>;
  now(): number;
  /**
   * A check calls this once its own work is done and it only waits (the receive check, for the
   * test message to arrive): the worker may then start another run's active part (WORKER_ACTIVE_MAX).
   * Set per run by the worker; absent elsewhere. Calling it again does nothing.
   */
  waiting?(): void;
  /** How late this process's event loop ran (absent: not watched); the runner uses it to tell our overload from the customer's fault. */
  loopLag?: LoopLag;
}

export interface LoopLag {
  /** The longest event-loop stall (ms) that overlapped [since, now], `since` on performance.now()'s clock, a stall still going on included. */
  maxDelaySince(since: number): number;
}
