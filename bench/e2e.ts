// Figure 1: sequential healthy diagnostics of one lab mailbox, every check, through the API and a
// worker process. Time = from sending the POST to reading `diagnostic.finished` on the SSE stream.
import { performance } from 'node:perf_hooks';
import { CHECK_IDS, type CheckId } from '../src/diagnostics/types.js';
import type { ApiClient } from './api-client.js';
import { mib, ms, summarize } from './stats.js';
import { table } from './table.js';

export interface E2eOptions {
  account: string;
  password: string;
  runs: number;
  /** Stop starting new runs once this much time has gone (the bench is bounded). */
  budgetMs: number;
  runTimeoutMs: number;
}

export interface E2eResult {
  totals: number[];
  workerMs: number[];
  perCheck: Map<CheckId, number[]>;
  verdicts: Map<string, number>;
  /** Checks that did not pass, as `check:status:code` → count. */
  notPassed: Map<string, number>;
  failures: string[];
}

export async function runE2e(api: ApiClient, o: E2eOptions): Promise<E2eResult> {
  const r: E2eResult = { totals: [], workerMs: [], perCheck: new Map(CHECK_IDS.map((c) => [c, []])), verdicts: new Map(), notPassed: new Map(), failures: [] };
  const until = performance.now() + o.budgetMs;
  for (let i = 0; i < o.runs && performance.now() < until; i++) {
    const t0 = performance.now();
    const created = await api.post({ account: o.account, password: o.password, checks: [...CHECK_IDS], metadata: { bench: 'e2e', run: i } });
    if (created.status !== 202) {
      r.failures.push(`run ${i}: POST answered ${created.status} ${created.body.code ?? ''}`);
      continue;
    }
    try {
      await api.waitFinished(created.body.id, o.runTimeoutMs);
    } catch (err) {
      r.failures.push(`run ${i}: ${(err as Error).message}`);
      continue;
    }
    const elapsed = performance.now() - t0;
    const d = await api.get(created.body.id);
    if (d.status !== 'completed') {
      r.failures.push(`run ${i}: ended ${d.status} ${d.error?.code ?? ''}`);
      continue;
    }
    r.totals.push(elapsed);
    if (d.durationMs !== undefined) r.workerMs.push(d.durationMs);
    bump(r.verdicts, d.verdict ?? 'none');
    for (const c of d.results) {
      r.perCheck.get(c.id)?.push(c.durationMs);
      if (c.status !== 'pass') bump(r.notPassed, `${c.id}:${c.status}${c.code ? `:${c.code}` : ''}`);
    }
  }
  return r;
}

function bump(m: Map<string, number>, k: string) {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** The e2e worker's RSS: after start-up, peak during the runs, after them; bytes. */
export interface E2eMemory { idle: number; peak: number; after: number }

export function renderE2e(r: E2eResult, requested: number, mem?: E2eMemory): string {
  const tot = summarize(r.totals);
  const run = summarize(r.workerMs);
  const head = table(`1. End-to-end healthy diagnostic (${r.totals.length}/${requested} runs completed, sequential)`,
    ['measure', 'n', 'p50 ms', 'p95 ms', 'max ms'], [
      ['POST -> diagnostic.finished (SSE)', tot.n, ms(tot.p50), ms(tot.p95), ms(tot.max)],
      ['run durationMs (worker side)', run.n, ms(run.p50), ms(run.p95), ms(run.max)],
      ['first run alone (cold worker)', r.totals.length ? 1 : 0, ms(r.totals[0] ?? NaN), '-', '-'],
    ]);
  const checks = table('1b. Per check durationMs', ['check', 'n', 'p50 ms', 'p95 ms', 'max ms'],
    CHECK_IDS.map((c) => {
      const s = summarize(r.perCheck.get(c) ?? []);
      return [c, s.n, ms(s.p50), ms(s.p95), ms(s.max)];
    }));
  const notes = [
    `verdicts: ${[...r.verdicts].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}`,
    `checks not passed: ${[...r.notPassed].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}`,
    ...r.failures.map((f) => `FAILED ${f}`),
  ];
  const memory = mem ? table('1c. Worker process RSS (VmRSS, sampled every 20 ms)', ['when', 'RSS MiB'], [
    ['idle, before the runs', mib(mem.idle)],
    [`peak during the ${r.totals.length} runs`, mib(mem.peak)],
    ['after the runs', mib(mem.after)],
  ]) : '';
  return `${head}${checks}${memory}${notes.join('\n')}\n`;
}
