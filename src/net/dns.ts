// One resolver for every check (configured DNS servers), answering in a shape that keeps
// "the name has no such record" (a finding) apart from "we could not ask" (our error).
// At scale (a thousand diagnostics of one domain at once) it must not turn our own burst into
// "inconclusive": answers are cached for their TTL (negative ones for the SOA's, RFC 2308 §5),
// identical questions in flight are asked once, and at most `maxConcurrent` go out at a time.
import { Resolver } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { Answer, SoaData } from 'dns-packet';
import { LRUCache } from 'lru-cache';
import { parseIp } from './address-policy.js';
import { askServer, parseServer, type DnsServer, type WireType } from './dns-wire.js';
import { EgressForbiddenError, ipLiteral, type EgressGuard } from './egress.js';

interface Provenance {
  /** The server that answered (`ip:port`), or the list when none could. */
  server: string;
  ms: number;
  /** Answered from this process's cache (then `ms` is ~0 and `ttl` is what is left). */
  cached?: boolean;
  /** Seconds the answer may still be used. */
  ttl?: number;
  transport?: 'udp' | 'tcp';
}

export type DnsAnswer<T> =
  | ({ ok: true; records: T[] } & Provenance)
  | ({ ok: false; kind: 'nxdomain' | 'nodata' } & Provenance)
  | ({ ok: false; kind: 'error'; error: string } & Provenance);

export interface DnsClient {
  mx(name: string): Promise<DnsAnswer<{ exchange: string; priority: number }>>;
  srv(name: string): Promise<DnsAnswer<{ name: string; port: number; priority: number; weight: number }>>;
  txt(name: string): Promise<DnsAnswer<string>>;
  /** A then AAAA. */
  addresses(name: string): Promise<DnsAnswer<string>>;
  /** PTR names of an IP address (lower case, no trailing dot); a non-IP is EBADNAME. */
  ptr(address: string): Promise<DnsAnswer<string>>;
  /**
   * A (family 4) or AAAA (6) records, not filtered by the egress policy: to compare an answer
   * (forward-confirmed reverse DNS), never to connect (connectors take `addresses`/`lookup` only).
   */
  forward(name: string, family: 4 | 6): Promise<DnsAnswer<string>>;
  /** net/tls `lookup` using the same servers (for sockets and HTTP clients). */
  lookup: LookupFunction;
  readonly servers: string[];
  /** Counters since start, for metrics and benchmarks. */
  stats(): DnsStats;
}

export interface DnsStats { queries: number; cacheHits: number; coalesced: number; wire: number; tcp: number; errors: number; queued: number }

export interface DnsCacheOptions {
  /** Most answers kept (least recently used go first). */
  maxEntries: number;
  /** Longest any answer is kept, seconds, whatever its TTL (0 disables the cache). */
  maxTtlSeconds: number;
  /** Negative answers without an SOA are kept this long, seconds. */
  negativeTtlSeconds: number;
}

export interface DnsOptions {
  servers: string[];
  /** Per try and transport, ms. */
  timeoutMs: number;
  tries?: number;
  /** Questions on the wire at once; the rest wait their turn. */
  maxConcurrent?: number;
  cache?: Partial<DnsCacheOptions>;
  /**
   * Egress policy. Addresses it refuses are never returned by `addresses()` nor `lookup`, so no
   * connector is even offered them (connectors check again at connect time).
   */
  guard?: EgressGuard;
}

type Settled = { ok: true; records: unknown[]; ttl: number } | { ok: false; kind: 'nxdomain' | 'nodata'; ttl: number };
interface Entry { value: Settled; server: string; transport: 'udp' | 'tcp'; expires: number }

export const DNS_DEFAULTS = { maxConcurrent: 64, maxEntries: 10_000, maxTtlSeconds: 300, negativeTtlSeconds: 30 } as const;

const strip = (n: string) => n.replace(/\.$/, '').toLowerCase();

function records(type: WireType, answers: Answer[]): { records: unknown[]; ttl: number } {
  const own = answers.filter((a) => a.type === type);
  const ttl = own.length ? Math.min(...own.map((a) => (a as { ttl?: number }).ttl ?? 0)) : 0;
  const data = own.map((a) => {
    const d = (a as { data: unknown }).data;
    switch (type) {
      case 'MX': { const m = d as { preference: number; exchange: string }; return { exchange: strip(m.exchange), priority: m.preference }; }
      case 'SRV': { const s = d as { priority: number; weight: number; port: number; target: string }; return { name: strip(s.target), port: s.port, priority: s.priority, weight: s.weight }; }
      case 'TXT': return (Array.isArray(d) ? d : [d]).map((c) => Buffer.isBuffer(c) ? c.toString('utf8') : String(c)).join('');
      case 'PTR': return strip(String(d));
      default: return String(d);
    }
  });
  return { records: data, ttl };
}

/** RFC 2308 §5: a negative answer lives min(SOA TTL, SOA MINIMUM). */
function negativeTtl(authorities: Answer[] | undefined, fallback: number): number {
  const soa = authorities?.find((a) => a.type === 'SOA') as { ttl?: number; data: SoaData } | undefined;
  return soa ? Math.min(soa.ttl ?? fallback, soa.data.minimum ?? fallback) : fallback;
}

/**
 * The labels of an address in reverse order, as PTR names (RFC 1035 §3.5 in-addr.arpa, RFC 3596
 * §2.5 ip6.arpa nibbles) and DNS blocklist names (RFC 5782 §2.1, §2.4) use them, or undefined
 * for a non-IP: `192.0.2.1` → `1.2.0.192`.
 */
export function reversedLabels(address: string): { labels: string; family: 4 | 6 } | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  if (ip.kind() === 'ipv4') return { labels: ip.toByteArray().reverse().join('.'), family: 4 };
  const hex = ip.toByteArray().map((b) => b.toString(16).padStart(2, '0')).join('');
  return { labels: [...hex].reverse().join('.'), family: 6 };
}

function systemServers(): string[] {
  return new Resolver().getServers();
}

export function createDnsClient(opts: DnsOptions): DnsClient {
  const servers: DnsServer[] = (opts.servers.length ? opts.servers : systemServers()).map(parseServer);
  const label = servers.map((s) => s.label).join(',');
  const tries = opts.tries ?? 2;
  const cacheOpts = { ...DNS_DEFAULTS, ...opts.cache };
  const cache = new LRUCache<string, Entry>({ max: Math.max(1, cacheOpts.maxEntries) });
  const inflight = new Map<string, Promise<{ value: Settled; server: string; transport: 'udp' | 'tcp' } | { error: string }>>();
  const stats: DnsStats = { queries: 0, cacheHits: 0, coalesced: 0, wire: 0, tcp: 0, errors: 0, queued: 0 };

  // A small counting semaphore: waiting questions queue in order.
  let active = 0;
  const waiting: Array<() => void> = [];
  const limit = Math.max(1, opts.maxConcurrent ?? DNS_DEFAULTS.maxConcurrent);
  const acquire = () => (active < limit ? (active++, Promise.resolve()) : (stats.queued++, new Promise<void>((r) => waiting.push(() => { active++; r(); }))));
  const release = () => { active--; waiting.shift()?.(); };

  async function resolveOnWire(name: string, type: WireType) {
    await acquire();
    try {
      let lastError = 'ESERVFAIL';
      for (let t = 0; t < tries; t++) {
        for (const server of servers) {
          stats.wire++;
          try {
            const a = await askServer(server, name, type, opts.timeoutMs);
            if (a.transport === 'tcp') stats.tcp++;
            if (a.rcode === 'NXDOMAIN') return { value: { ok: false as const, kind: 'nxdomain' as const, ttl: negativeTtl(a.packet.authorities, cacheOpts.negativeTtlSeconds) }, server: server.label, transport: a.transport };
            if (a.rcode !== 'NOERROR') { lastError = `E${a.rcode}`; continue; }
            const r = records(type, a.packet.answers ?? []);
            if (!r.records.length) return { value: { ok: false as const, kind: 'nodata' as const, ttl: negativeTtl(a.packet.authorities, cacheOpts.negativeTtlSeconds) }, server: server.label, transport: a.transport };
            return { value: { ok: true as const, records: r.records, ttl: r.ttl }, server: server.label, transport: a.transport };
          } catch (err) {
            lastError = (err as { code?: string }).code ?? 'ECONNREFUSED';
          }
        }
      }
      return { error: lastError };
    } finally {
      release();
    }
  }

  async function ask<T>(nameIn: string, type: WireType): Promise<DnsAnswer<T>> {
    const t0 = performance.now();
    const ms = () => Math.round(performance.now() - t0);
    const name = strip(nameIn);
    const key = `${type} ${name}`;
    stats.queries++;
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now()) {
      stats.cacheHits++;
      const ttl = Math.max(0, Math.round((hit.expires - Date.now()) / 1000));
      const prov = { server: hit.server, ms: ms(), cached: true, ttl, transport: hit.transport };
      return (hit.value.ok ? { ok: true, records: hit.value.records as T[], ...prov } : { ok: false, kind: hit.value.kind, ...prov });
    }
    if (!name || name.length > 253 || name.split('.').some((l) => !l.length || l.length > 63)) {
      return { ok: false, kind: 'error', error: 'EBADNAME', server: label, ms: ms() };
    }
    let pending = inflight.get(key);
    if (pending) stats.coalesced++;
    else {
      pending = resolveOnWire(name, type);
      inflight.set(key, pending);
      void pending.finally(() => inflight.delete(key));
    }
    const got = await pending;
    if ('error' in got) {
      stats.errors++;
      return { ok: false, kind: 'error', error: got.error, server: label, ms: ms() };
    }
    const ttl = Math.min(got.value.ttl, cacheOpts.maxTtlSeconds);
    if (ttl > 0 && !cache.has(key)) cache.set(key, { ...got, expires: Date.now() + ttl * 1000 });
    const prov = { server: got.server, ms: ms(), ttl: got.value.ttl, transport: got.transport };
    return got.value.ok ? { ok: true, records: got.value.records as T[], ...prov } : { ok: false, kind: got.value.kind, ...prov };
  }

  const client: DnsClient = {
    servers: servers.map((s) => s.label),
    stats: () => ({ ...stats }),
    mx: (name) => ask(name, 'MX'),
    srv: (name) => ask(name, 'SRV'),
    txt: (name) => ask(name, 'TXT'),
    ptr: (address) => {
      const r = reversedLabels(address);
      if (!r) return Promise.resolve({ ok: false, kind: 'error', error: 'EBADNAME', server: label, ms: 0 });
      return ask(`${r.labels}.${r.family === 4 ? 'in-addr' : 'ip6'}.arpa`, 'PTR');
    },
    forward: (name, family) => ask(name, family === 4 ? 'A' : 'AAAA'),
    addresses: async (name) => {
      let a = await ask<string>(name, 'A');
      if (!a.ok && a.kind === 'nodata') a = await ask<string>(name, 'AAAA');
      if (!a.ok || !opts.guard) return a;
      const allowed = a.records.filter((ip) => !opts.guard!.refusal(ip, name));
      if (allowed.length) return { ...a, records: allowed };
      return { ok: false, kind: 'error', error: `EGRESS_FORBIDDEN: ${opts.guard.refusal(a.records[0], name)}`, server: a.server, ms: a.ms };
    },
    lookup: ((hostname: string, options: unknown, callback: (...a: unknown[]) => void) => {
      const cb = typeof options === 'function' ? (options as typeof callback) : callback;
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      // IP literals in any spelling (0x7f.1, 2130706433, [::1]) never reach a resolver.
      const literal = ipLiteral(hostname);
      if (literal) {
        const family = literal.includes(':') ? 6 : 4;
        const refused = opts.guard?.refusal(literal);
        if (refused) return cb(new EgressForbiddenError(refused, literal));
        return all ? cb(null, [{ address: literal, family }]) : cb(null, literal, family);
      }
      client.addresses(hostname).then((a) => {
        if (!a.ok) {
          const err = Object.assign(new Error(`DNS lookup of ${hostname} failed: ${a.kind === 'error' ? a.error : a.kind}`), {
            code: a.kind === 'error' ? a.error.split(':')[0] : 'ENOTFOUND', hostname,
          });
          return cb(err);
        }
        const list = a.records.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
        return all ? cb(null, list) : cb(null, list[0].address, list[0].family);
      }, (err) => cb(err));
    }) as LookupFunction,
  };
  return client;
}
