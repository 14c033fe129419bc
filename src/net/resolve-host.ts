// Every host name goes through the run's resolver (the configured DNS servers), never the system's,
// so that a check connects to the address the diagnostic looked up and can show it as evidence.
// IP literals (in any spelling) skip DNS but not the egress policy.
import type { DnsClient } from './dns.js';
import { ipLiteral, type EgressGuard } from './egress.js';

export type HostResolution =
  | { ok: true; host: string; address: string; addresses: string[]; ms: number }
  | { ok: false; host: string; reason: 'nxdomain' | 'nodata' | 'error'; error?: string; resolver: string; ms: number };

export async function resolveHost(dns: DnsClient, guard: EgressGuard | undefined, host: string): Promise<HostResolution> {
  const literal = ipLiteral(host);
  if (literal) {
    const refused = guard?.refusal(literal);
    if (refused) return { ok: false, host, reason: 'error', error: `EGRESS_FORBIDDEN: ${refused}`, resolver: 'none (IP literal)', ms: 0 };
    return { ok: true, host, address: literal, addresses: [literal], ms: 0 };
  }
  const a = await dns.addresses(host);
  if (a.ok) return { ok: true, host, address: a.records[0], addresses: a.records, ms: a.ms };
  return { ok: false, host, reason: a.kind, ...(a.kind === 'error' ? { error: a.error } : {}), resolver: a.server, ms: a.ms };
}
