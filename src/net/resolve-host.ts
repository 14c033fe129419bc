// Every host name goes through the run's resolver (the configured DNS servers), never the system's,
// so that a check connects to the address the diagnostic looked up and can show it as evidence.
import { isIP } from 'node:net';
import type { DnsClient } from './dns.js';

export type HostResolution =
  | { ok: true; host: string; address: string; addresses: string[]; ms: number }
  | { ok: false; host: string; reason: 'nxdomain' | 'nodata' | 'error'; error?: string; resolver: string; ms: number };

export async function resolveHost(dns: DnsClient, host: string): Promise<HostResolution> {
  if (isIP(host)) return { ok: true, host, address: host, addresses: [host], ms: 0 };
  const a = await dns.addresses(host);
  if (a.ok) return { ok: true, host, address: a.records[0], addresses: a.records, ms: a.ms };
  return { ok: false, host, reason: a.kind, ...(a.kind === 'error' ? { error: a.error } : {}), resolver: a.server, ms: a.ms };
}
