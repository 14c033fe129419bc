// The IANA RDAP bootstrap registry changes rarely: fetch it once a day per process, not per diagnostic.
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import type { RdapBootstrap } from './rdap.js';

const TTL_MS = 24 * 3600 * 1000;

export function createBootstrapCache(http: Dispatcher, now: () => number = Date.now) {
  const cache = new Map<string, { at: number; value: Promise<RdapBootstrap> }>();
  return (url: string, signal: AbortSignal): Promise<RdapBootstrap> => {
    const hit = cache.get(url);
    if (hit && now() - hit.at < TTL_MS) return hit.value;
    const value = fetchBootstrap(http, url, signal);
    cache.set(url, { at: now(), value });
    value.catch(() => cache.delete(url)); // a failure is not cached
    return value;
  };
}

async function fetchBootstrap(http: Dispatcher, url: string, signal: AbortSignal): Promise<RdapBootstrap> {
  const res = await request(url, { dispatcher: http, signal, headers: { accept: 'application/json' } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${url} answered HTTP ${res.statusCode}`);
  const raw = JSON.parse(text) as { services?: unknown };
  if (!Array.isArray(raw.services)) throw new Error(`${url}: no "services" array (RFC 9224 format expected)`);
  return { services: raw.services as Array<[string[], string[]]> };
}
