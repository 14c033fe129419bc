// One resolver for every check (configured DNS servers), answering in a shape that keeps
// "the name has no such record" (a finding) apart from "we could not ask" (our error).
import { Resolver } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';

export type DnsAnswer<T> =
  | { ok: true; records: T[]; server: string; ms: number }
  | { ok: false; kind: 'nxdomain' | 'nodata'; server: string; ms: number }
  | { ok: false; kind: 'error'; error: string; server: string; ms: number };

export interface DnsClient {
  mx(name: string): Promise<DnsAnswer<{ exchange: string; priority: number }>>;
  srv(name: string): Promise<DnsAnswer<{ name: string; port: number; priority: number; weight: number }>>;
  txt(name: string): Promise<DnsAnswer<string>>;
  /** A then AAAA. */
  addresses(name: string): Promise<DnsAnswer<string>>;
  /** net/tls `lookup` using the same servers (for sockets and HTTP clients). */
  lookup: LookupFunction;
  readonly servers: string[];
}

export interface DnsOptions {
  servers: string[];
  timeoutMs: number;
  tries?: number;
  /**
   * Egress policy: why `address` (named `host`) may not be connected to, or undefined. Addresses it
   * refuses are never returned by `addresses()` nor `lookup`, so no check can connect to them.
   */
  refuse?: (address: string, host: string) => string | undefined;
}

const NOT_FOUND = new Set(['ENOTFOUND', 'NXDOMAIN']);
const NO_DATA = new Set(['ENODATA']);

export function createDnsClient(opts: DnsOptions): DnsClient {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: opts.tries ?? 2 });
  if (opts.servers.length) resolver.setServers(opts.servers);
  const servers = resolver.getServers();
  const label = servers.join(',');

  async function ask<T>(fn: () => Promise<T[]>): Promise<DnsAnswer<T>> {
    const t0 = performance.now();
    const ms = () => Math.round(performance.now() - t0);
    try {
      const records = await fn();
      return records.length ? { ok: true, records, server: label, ms: ms() } : { ok: false, kind: 'nodata', server: label, ms: ms() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (NOT_FOUND.has(code)) return { ok: false, kind: 'nxdomain', server: label, ms: ms() };
      if (NO_DATA.has(code)) return { ok: false, kind: 'nodata', server: label, ms: ms() };
      return { ok: false, kind: 'error', error: code || (err as Error).message, server: label, ms: ms() };
    }
  }

  const strip = (n: string) => n.replace(/\.$/, '').toLowerCase();

  const client: DnsClient = {
    servers,
    mx: (name) => ask(async () => (await resolver.resolveMx(name)).map((r) => ({ exchange: strip(r.exchange), priority: r.priority }))),
    srv: (name) => ask(async () => (await resolver.resolveSrv(name)).map((r) => ({ ...r, name: strip(r.name) }))),
    txt: (name) => ask(async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''))),
    addresses: async (name) => {
      let a = await ask(() => resolver.resolve4(name));
      if (!a.ok && a.kind === 'nodata') a = await ask(() => resolver.resolve6(name));
      if (!a.ok || !opts.refuse) return a;
      const allowed = a.records.filter((ip) => !opts.refuse!(ip, name));
      if (allowed.length) return { ...a, records: allowed };
      return { ok: false, kind: 'error', error: `EGRESS_FORBIDDEN: ${opts.refuse(a.records[0], name)}`, server: a.server, ms: a.ms };
    },
    lookup: ((hostname: string, options: unknown, callback: (...a: unknown[]) => void) => {
      const cb = typeof options === 'function' ? (options as typeof callback) : callback;
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      if (/^[\d.]+$/.test(hostname) || hostname.includes(':')) {
        const family = hostname.includes(':') ? 6 : 4;
        const refused = opts.refuse?.(hostname, hostname);
        if (refused) return cb(Object.assign(new Error(`connection to ${hostname} refused by the egress policy: ${refused}`), { code: 'EGRESS_FORBIDDEN', hostname }));
        return all ? cb(null, [{ address: hostname, family }]) : cb(null, hostname, family);
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
