// The bench's settings, from BENCH_* environment variables (README: Running).
import { BULK_COUNT } from '../test/lab/bulk.js';

export const PARTS = ['e2e', 'throughput', 'scale', 'penalty'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  /** BENCH_PARTS: which figures to measure (default all). */
  parts: Set<Part>;
  /** BENCH_RUNS: sequential end-to-end runs (figure 1). */
  runs: number;
  /** BENCH_CONCURRENCY, BENCH_SECONDS: connections and measured seconds of each throughput row (figure 2). */
  concurrency: number;
  seconds: number;
  /** BENCH_SCALE: the N of figure 3, each ≤ the bulk mailboxes. */
  scale: number[];
  /** BENCH_WORKER_CONCURRENCY: WORKER_CONCURRENCY of the figure-3 and -4 workers. */
  workerConcurrency: number;
  /** BENCH_PENALTY_RUNS, BENCH_PENALTY_FAILURES: figure 4's healthy diagnostics per round and wrong passwords. */
  penaltyRuns: number;
  penaltyFailures: number;
  /** BENCH_DEADLINE_MS: the watchdog. */
  deadlineMs: number;
}

function num(env: NodeJS.ProcessEnv, name: string, def: number, min = 0): number {
  const v = Number(env[name] ?? def);
  if (!Number.isFinite(v) || v < min) throw new Error(`${name} must be a number >= ${min}`);
  return v;
}

function list(env: NodeJS.ProcessEnv, name: string, def: string): string[] {
  return (env[name] ?? def).split(',').map((s) => s.trim()).filter(Boolean);
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const parts = list(env, 'BENCH_PARTS', PARTS.join(','));
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`BENCH_PARTS: unknown part ${unknown.join(', ')} (known: ${PARTS.join(', ')})`);
  const scale = list(env, 'BENCH_SCALE', '100,500,1000').map(Number);
  if (scale.some((n) => !Number.isInteger(n) || n < 1 || n > BULK_COUNT)) throw new Error(`BENCH_SCALE: each N must be an integer from 1 to ${BULK_COUNT} (the bulk mailboxes)`);
  const o: BenchOptions = {
    parts: new Set(parts as Part[]),
    runs: num(env, 'BENCH_RUNS', 20),
    concurrency: num(env, 'BENCH_CONCURRENCY', 32, 1),
    seconds: num(env, 'BENCH_SECONDS', 8, 1),
    scale,
    workerConcurrency: num(env, 'BENCH_WORKER_CONCURRENCY', 1000, 1),
    penaltyRuns: num(env, 'BENCH_PENALTY_RUNS', 20, 1),
    penaltyFailures: num(env, 'BENCH_PENALTY_FAILURES', 3, 1),
    deadlineMs: num(env, 'BENCH_DEADLINE_MS', 420_000, 10_000),
  };
  if (2 * o.penaltyRuns + o.penaltyFailures > BULK_COUNT) throw new Error(`BENCH_PENALTY_RUNS×2 + BENCH_PENALTY_FAILURES must be ≤ ${BULK_COUNT}`);
  return o;
}
