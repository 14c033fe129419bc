// One resolver for every check (configured DNS servers), answering in a shape that keeps
// "the name has no such record" (a finding) apart from "we could not ask" (our error).
import { Resolver } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { EgressForbiddenError, ipLiteral, type EgressGuard } from './egress.js';

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
   * Egress policy. Addresses it refuses are never returned by `addresses()` nor `lookup`, so no
   * connector is even offered them (connectors check again at connect time).
   */
  guard?: EgressGuard;
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
