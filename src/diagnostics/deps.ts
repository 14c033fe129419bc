// The I/O a check may use, passed in so that a check runs against the lab or a real host unchanged.
import type { Dispatcher } from 'undici';
import type { AccountProvider } from '../providers/provider.js';
import type { DnsClient } from '../net/dns.js';
import type { RdapBootstrap } from '../checks/http/rdap.js';
import type { PeerCertificates } from '../net/peer-certs.js';

export interface CheckSettings {
  mxPort: number;
  heloName: string;
  testMailFrom: string;
  receiveTimeoutMs: number;
  mailDelayedAfterMs: number;
  domainExpiringDays: number;
  /** A verified certificate that expires within this many days is TLS_EXPIRING (warn); 0 never warns. */
  tlsExpiringDays: number;
  rdapBaseUrl?: string;
  rdapBootstrapFile?: string;
  rdapBootstrapUrl?: string;
}

export interface CheckDeps {
  dns: DnsClient;
  /** undici dispatcher whose connections resolve names through `dns` (same servers as every check). */
  http: Dispatcher;
  /** Certificates presented on `http`'s verified connections, by origin (HTTPS checks read them). */
  peerCerts: PeerCertificates;
  provider: AccountProvider;
  settings: CheckSettings;
  /** The RDAP bootstrap registry from a URL, cached across runs (absent: not fetched). */
  rdapBootstrap?: (url: string, signal: AbortSignal) => Promise<RdapBootstrap>;
  now(): number;
}
