// Figure 2: how fast the API accepts diagnostics (validate, seal, store, enqueue in Redis) with
// no worker draining the queue, next to the bare limit (bench/bare-api.ts: parse + one queue.add on
// the same Redis) measured in the same run. Every request names a new throwaway account so that
// neither the one-running-diagnostic rule (409) nor the throttle (429) shortens the path.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { ms, summarize } from './stats.js';
import { table } from './table.js';

export interface ThroughputOptions {
  /** What is measured (a row label). */
  label: string;
  origin: string;
  apiKey: string;
  concurrency: number;
  durationMs: number;
  /** Load before the measured window (JIT, connection set-up), ms; not counted. */
  warmupMs?: number;
  /** Makes the n-th account address (must be distinct over the whole bench). */
  account: () => string;
  /** Called when the measured window starts (after the warm-up) and when it ends, e.g. to sample CPU time. */
  onWindow?: (edge: 'start' | 'end') => Promise<void>;
}

export interface ThroughputResult {
  label: string;
  concurrency: number;
  requests: number;
  ok: number;
  /** Non-202 answers and transport errors, by status or error name. */
  errors: Map<string, number>;
  seconds: number;
  latencies: number[];
}

export async function runThroughput(o: ThroughputOptions): Promise<ThroughputResult> {
  const pool = new Pool(o.origin, { connections: o.concurrency, pipelining: 1 });
  const headers = { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' };
  const r: ThroughputResult = { label: o.label, concurrency: o.concurrency, requests: 0, ok: 0, errors: new Map(), seconds: 0, latencies: [] };
  const bump = (k: string) => r.errors.set(k, (r.errors.get(k) ?? 0) + 1);
  let start = performance.now();
  let end = start + (o.warmupMs ?? 0);
  let measuring = !o.warmupMs;
  const loop = async () => {
    while (performance.now() < end) {
      const body = JSON.stringify({ account: o.account(), password: 'bench-not-a-real-password', checks: ['mx', 'srv', 'domain', 'incidents'], metadata: { bench: 'throughput' } });
      const t0 = performance.now();
      try {
        const res = await pool.request({ path: '/v1/diagnostics', method: 'POST', headers, body });
        await res.body.dump({ limit: 1 << 20 });
        if (!measuring) continue;
        r.latencies.push(performance.now() - t0);
        if (res.statusCode === 202) r.ok++;
        else bump(String(res.statusCode));
      } catch (err) {
        if (measuring) bump((err as Error).name);
      }
      if (measuring) r.requests++;
    }
  };
  try {
    if (!measuring) {
      await Promise.all(Array.from({ length: o.concurrency }, loop));
      await o.onWindow?.('start');
      measuring = true;
      start = performance.now();
      end = start + o.durationMs;
    } else {
      await o.onWindow?.('start');
    }
    await Promise.all(Array.from({ length: o.concurrency }, loop));
    r.seconds = (performance.now() - start) / 1000;
    await o.onWindow?.('end');
  } finally {
    r.seconds ||= (performance.now() - start) / 1000;
    await pool.close();
  }
  return r;
}

export const reqPerSecond = (r: ThroughputResult) => (r.seconds > 0 ? r.ok / r.seconds : NaN);

export function renderThroughput(rows: ThroughputResult[], title: string): string {
  return table(title,
    ['measured', 'connections', 'requests', 'seconds', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'],
    rows.map((r) => {
      const s = summarize(r.latencies);
      const errors = [...r.errors].map(([k, v]) => `${k}x${v}`).join(' ') || '0';
      return [r.label, r.concurrency, r.requests, r.seconds.toFixed(1), reqPerSecond(r).toFixed(0), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), errors];
    }));
}
