// The only door out for the checks: one object that holds the resolver, the HTTP client, and the
// SMTP, IMAP and raw-TLS connectors, all behind one egress guard. A check gets it as
// `ctx.deps.net` and never imports a connection library; whatever a request, a DNS answer or a
// server's redirect names, the address actually dialled is checked here first.
import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import type { AddressPolicy } from './address-policy.js';
import { createDnsClient, type DnsCacheOptions, type DnsClient } from './dns.js';
import { createEgressGuard, type EgressGuard } from './egress.js';
import { createGuardedAgent } from './http-agent.js';
import { createHttpClient, type HttpClient } from './http.js';
import { connectImap, type ImapConnectOptions, type ImapConnectResult } from './imap.js';
import { createPeerCertificates, type PeerCertificates } from './peer-certs.js';
import { resolveHost, type HostResolution } from './resolve-host.js';
import { openSmtp, type SmtpSession } from './smtp.js';
import { inspectTls, type InspectOptions, type TlsInspection } from './tls-inspect.js';

export interface Net {
  readonly dns: DnsClient;
  readonly http: HttpClient;
  /** Certificates presented on `http`'s verified connections, by origin. */
  readonly peerCerts: PeerCertificates;
  readonly guard: EgressGuard;
  /** A name through our resolver, or an IP literal in any spelling; both under the egress policy. */
  resolveHost(host: string): Promise<HostResolution>;
  /** SMTP session to `options.host`, which must be an address from `resolveHost`. */
  openSmtp(options: SMTPConnectionOptions, signal: AbortSignal): Promise<SmtpSession>;
  /** Authenticated IMAP session (resolves `host` itself). */
  connectImap(options: Omit<ImapConnectOptions, 'dns' | 'guard'>): Promise<ImapConnectResult>;
  /** Reads a server's certificate without trusting it and without credentials. */
  inspectTls(options: Omit<InspectOptions, 'guard'>): Promise<TlsInspection | { error: string }>;
  close(): Promise<void>;
}

export interface NetOptions {
  /** DNS servers (`ip` or `ip:port`); empty = the system's. */
  dnsServers: string[];
  dnsTimeoutMs: number;
  /** Tries per DNS query (default 2). */
  dnsTries?: number;
  /** DNS questions on the wire at once, and the answer cache (net/dns.ts DNS_DEFAULTS). */
  dnsMaxConcurrent?: number;
  dnsCache?: Partial<DnsCacheOptions>;
  policy: AddressPolicy;
  /** Bound on a single stuck HTTP connect/headers/body wait, ms (each check's deadline also applies). */
  ioTimeoutMs: number;
  /** HTTPS connections per origin (http-agent.ts CONNECTIONS_PER_ORIGIN by default; 0: unbounded). */
  httpConnectionsPerOrigin?: number;
}

export function createNet(o: NetOptions): Net {
  const guard = createEgressGuard(o.policy);
  const dns = createDnsClient({ servers: o.dnsServers, timeoutMs: o.dnsTimeoutMs, tries: o.dnsTries, maxConcurrent: o.dnsMaxConcurrent, cache: o.dnsCache, guard });
  // Recorded from the very connection that carries the request (not a second probe, which could
  // meet another server behind the same name): TLS_EXPIRING judges the certificate clients get.
  const peerCerts = createPeerCertificates();
  const agent = createGuardedAgent({
    guard, lookup: dns.lookup, timeoutMs: o.ioTimeoutMs, connectionsPerOrigin: o.httpConnectionsPerOrigin,
    onConnect: (origin, socket) => peerCerts.record(origin, socket),
  });
  return {
    dns,
    http: createHttpClient(agent),
    peerCerts,
    guard,
    resolveHost: (host) => resolveHost(dns, guard, host),
    openSmtp: (options, signal) => openSmtp(options, signal, guard),
    connectImap: (options) => connectImap({ ...options, dns, guard }),
    inspectTls: (options) => inspectTls({ ...options, guard }),
    close: () => agent.close(),
  };
}

export type { DnsClient, DnsAnswer } from './dns.js';
export type { HttpClient, HttpExchange } from './http.js';
export type { PeerCertificates } from './peer-certs.js';
export type { HostResolution } from './resolve-host.js';
export type { SmtpSession } from './smtp.js';
export type { TlsInspection } from './tls-inspect.js';
