// Figure 3: the worker process's resident memory, idle, after the end-to-end runs, and at its
// peak while it runs many light diagnostics at once (DNS, RDAP and status-page checks: no
// mailbox login, so throwaway addresses of the healthy domain can run side by side).
import { performance } from 'node:perf_hooks';
import type { ApiClient } from './api-client.js';
import { mib, ms, summarize } from './stats.js';
import { table } from './table.js';

export interface RssSampler {
  /** Stops sampling; the largest RSS seen, bytes. */
  stop(): Promise<number>;
}

/** Samples `read()` every `everyMs` until stopped (a peak between two samples can be missed). */
export function sampleRss(read: () => Promise<number>, everyMs = 20): RssSampler {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await read().catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

export interface BurstResult {
  requested: number;
  completed: number;
  wallMs: number;
  latencies: number[];
  peakRss: number;
  rssAfter: number;
  failures: string[];
}

export const LIGHT_CHECKS = ['mx', 'srv', 'domain', 'incidents'];

export async function runBurst(api: ApiClient, o: { count: number; account: () => string; rss: () => Promise<number>; timeoutMs: number }): Promise<BurstResult> {
  const sampler = sampleRss(o.rss);
  const failures: string[] = [];
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: o.count }, async (_, i) => {
    const start = performance.now();
    try {
      const created = await api.post({ account: o.account(), password: 'bench-not-a-real-password', checks: LIGHT_CHECKS, metadata: { bench: 'burst', n: i } });
      if (created.status !== 202) throw new Error(`POST answered ${created.status} ${created.body.code ?? ''}`);
      await api.waitFinished(created.body.id, o.timeoutMs);
      const d = await api.get(created.body.id);
      if (d.status !== 'completed') throw new Error(`ended ${d.status}`);
      latencies.push(performance.now() - start);
    } catch (err) {
      failures.push(`#${i}: ${(err as Error).message}`);
    }
  }));
  const wallMs = performance.now() - t0;
  const peakRss = await sampler.stop();
  return { requested: o.count, completed: latencies.length, wallMs, latencies, peakRss, rssAfter: await o.rss(), failures };
}

export interface MemoryFigures {
  idle: number;
  afterE2e: number;
  e2ePeak: number;
  e2eRuns: number;
  burst?: BurstResult;
}

export function renderMemory(m: MemoryFigures): string {
  const rows: Array<Array<string | number>> = [
    ['idle, before the end-to-end runs', mib(m.idle)],
    [`peak during the ${m.e2eRuns} end-to-end runs`, mib(m.e2ePeak)],
    ['after the end-to-end runs', mib(m.afterE2e)],
  ];
  if (m.burst) {
    rows.push([`peak during ${m.burst.requested} concurrent light diagnostics`, mib(m.burst.peakRss)]);
    rows.push(['after them', mib(m.burst.rssAfter)]);
  }
  let out = table('3. Worker process RSS', ['when', 'RSS MiB'], rows);
  if (m.burst) {
    const s = summarize(m.burst.latencies);
    out += table(`3b. ${m.burst.requested} concurrent diagnostics (checks ${LIGHT_CHECKS.join(',')}), POST -> finished`,
      ['completed', 'wall ms', 'p50 ms', 'p95 ms', 'max ms'],
      [[`${m.burst.completed}/${m.burst.requested}`, ms(m.burst.wallMs), ms(s.p50), ms(s.p95), ms(s.max)]]);
    out += m.burst.failures.map((f) => `FAILED ${f}\n`).join('');
  }
  return out;
}
