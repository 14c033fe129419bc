// Reads a process's /metrics (Prometheus text format) the way a scraper does: the bench takes the
// worker's event-loop delay and DNS counters, and the API's finished-diagnostic counts, from there.
import type { Dispatcher } from 'undici';

/** Samples by series (`name` or `name{a="b",…}` exactly as exposed) → value. */
export type Samples = Map<string, number>;

export async function scrape(dispatcher: Dispatcher, url: string): Promise<Samples> {
  const u = new URL(url);
  const res = await dispatcher.request({ origin: u.origin, path: u.pathname, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode}`);
  return parse(text);
}

export function parse(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** One series' value (NaN when absent). */
export const value = (s: Samples, series: string) => s.get(series) ?? NaN;

/** Sum of every series of a metric (all label sets). */
export function total(s: Samples, name: string): number {
  let sum = 0;
  for (const [k, v] of s) if (k === name || k.startsWith(`${name}{`)) sum += v;
  return sum;
}
