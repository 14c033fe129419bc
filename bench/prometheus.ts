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

/**
 * The q-quantile of a Prometheus histogram between two scrapes, as PromQL's histogram_quantile
 * computes it: linear within the bucket the rank falls in. Infinity when it falls past the last
 * finite bucket; NaN without samples.
 */
export function histogramQuantile(before: Samples, after: Samples, name: string, q: number): number {
  const buckets: Array<[number, number]> = [];
  for (const [k, v] of after) {
    const m = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`).exec(k);
    if (m) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), v - (before.get(k) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const count = buckets.at(-1)?.[1] ?? 0;
  if (!count) return NaN;
  const rank = q * count;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, c] of buckets) {
    if (c >= rank) {
      if (le === Infinity) return Infinity;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(1, c - prevCount));
    }
    prevLe = le;
    prevCount = c;
  }
  return NaN;
}
