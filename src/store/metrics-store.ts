// Outcome counters shared by every process: workers increment Redis hashes, the API's /metrics
// reads them (a worker's in-memory counters would be invisible to the scraper of the API).
// Like every key, they expire: after a month without a finished diagnostic they start again at
// zero, which Prometheus reads as a counter reset.
import type { RedisClient } from './redis.js';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { storeKeys } from './keys.js';

export interface OutcomeCounts {
  diagnostics: Array<{ status: string; verdict: string; value: number }>;
  checks: Array<{ check: string; status: string; code: string; value: number }>;
}

/** Idle lifetime of the outcome counters, seconds (refreshed on every increment). */
export const COUNTERS_TTL_SECONDS = 30 * 24 * 3600;

export function createMetricsStore(redis: RedisClient, prefix: string) {
  const k = storeKeys(prefix);
  return {
    async recordFinished(r: DiagnosticRecord): Promise<void> {
      const m = redis.multi().hincrby(k.metricsDiagnostics, `${r.status}|${r.verdict ?? 'none'}`, 1);
      for (const c of r.results) m.hincrby(k.metricsChecks, `${c.id}|${c.status}|${c.code ?? 'none'}`, 1);
      m.expire(k.metricsDiagnostics, COUNTERS_TTL_SECONDS);
      m.expire(k.metricsChecks, COUNTERS_TTL_SECONDS);
      await m.exec();
    },
    async read(): Promise<OutcomeCounts> {
      const [d, c] = await Promise.all([redis.hgetall(k.metricsDiagnostics), redis.hgetall(k.metricsChecks)]);
      return {
        diagnostics: Object.entries(d).map(([f, v]) => {
          const [status, verdict] = f.split('|');
          return { status, verdict, value: Number(v) };
        }),
        checks: Object.entries(c).map(([f, v]) => {
          const [check, status, code] = f.split('|');
          return { check, status, code, value: Number(v) };
        }),
      };
    },
  };
}

export type MetricsStore = ReturnType<typeof createMetricsStore>;
