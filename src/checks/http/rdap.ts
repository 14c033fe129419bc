// RDAP (RFC 9083) domain answers and the RFC 9224 bootstrap registry: which server to ask for a
// TLD, and what registration facts (expiry, holds) a domain object states.
import { readFile } from 'node:fs/promises';
import type { RdapBootstrap } from '../../diagnostics/deps.js';
export type { RdapBootstrap };

export interface RdapFacts {
  ldhName?: string;
  expiration?: string;
  registration?: string;
  status: string[];
  /** Status values that stop the domain from resolving (EPP holds, RDAP "inactive"/"pending delete"…). */
  holds: string[];
}

/** RDAP status values (RFC 8056 mapping of EPP) under which the domain does not work. */
const BLOCKING_STATUS = new Set(['client hold', 'server hold', 'inactive', 'pending delete', 'redemption period']);

export function parseRdapDomain(doc: unknown): RdapFacts {
  const d = (doc ?? {}) as { ldhName?: unknown; events?: unknown; status?: unknown };
  const events = Array.isArray(d.events) ? (d.events as Array<{ eventAction?: unknown; eventDate?: unknown }>) : [];
  const dateOf = (action: string) => {
    const e = events.find((x) => String(x?.eventAction ?? '').toLowerCase() === action && typeof x?.eventDate === 'string');
    return e && !Number.isNaN(Date.parse(e.eventDate as string)) ? new Date(e.eventDate as string).toISOString() : undefined;
  };
  const status = Array.isArray(d.status) ? (d.status as unknown[]).filter((s): s is string => typeof s === 'string') : [];
  return {
    ldhName: typeof d.ldhName === 'string' ? d.ldhName : undefined,
    expiration: dateOf('expiration'),
    registration: dateOf('registration'),
    status,
    holds: status.filter((s) => BLOCKING_STATUS.has(s.toLowerCase())),
  };
}

/** Bootstrap file (IANA dns.json): `services: [[[labels…], [urls…]], …]`. */

export async function readBootstrap(file: string): Promise<RdapBootstrap> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as { services?: unknown };
  if (!Array.isArray(raw.services)) throw new Error(`${file}: no "services" array (RFC 9224 format expected)`);
  return { services: raw.services as Array<[string[], string[]]> };
}

/** The base URL (ending in "/") for a domain: longest matching label suffix, https preferred. */
export function baseUrlFor(bootstrap: RdapBootstrap, domain: string): string | undefined {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  let best: { len: number; urls: string[] } | undefined;
  for (const [entries, urls] of bootstrap.services) {
    for (const entry of entries ?? []) {
      const e = entry.toLowerCase().split('.');
      const matches = e.length <= labels.length && e.every((l, i) => l === labels[labels.length - e.length + i]);
      if (matches && (!best || e.length > best.len)) best = { len: e.length, urls };
    }
  }
  if (!best?.urls?.length) return undefined;
  const url = best.urls.find((u) => u.startsWith('https:')) ?? best.urls[0];
  return url.endsWith('/') ? url : `${url}/`;
}

export const rdapDomainUrl = (base: string, domain: string) =>
  `${base.endsWith('/') ? base : `${base}/`}domain/${encodeURIComponent(domain.toLowerCase())}`;
