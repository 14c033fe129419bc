// The IANA RDAP bootstrap registry changes rarely: fetch it once a day per process, not per diagnostic.
import type { RdapBootstrap } from '../diagnostics/deps.js';
import { BODY_LIMITS, type HttpClient } from '../net/http.js';

const TTL_MS = 24 * 3600 * 1000;

export function createBootstrapCache(http: HttpClient, now: () => number = Date.now) {
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

async function fetchBootstrap(http: HttpClient, url: string, signal: AbortSignal): Promise<RdapBootstrap> {
  // IANA's dns.json is about 40 KB; a few times that leaves room to grow.
  const res = await http.exchange(url, { signal, headers: { accept: 'application/json' }, maxBodyBytes: BODY_LIMITS.json });
  if (!res.ok) throw new Error(`${url}: ${res.code} ${res.message}`);
  if (res.status !== 200) throw new Error(`${url} answered HTTP ${res.status}`);
  if (res.truncated) throw new Error(`${url}: answer larger than ${BODY_LIMITS.json} bytes`);
  const raw = JSON.parse(res.body) as { services?: unknown };
  if (!Array.isArray(raw.services)) throw new Error(`${url}: no "services" array (RFC 9224 format expected)`);
  return { services: raw.services as Array<[string[], string[]]> };
}
