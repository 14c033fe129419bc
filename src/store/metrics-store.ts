// What the finisher calls to count an ended diagnostic. Each process counts the diagnostics it ends
// in its own Prometheus registry (src/metrics.ts `registerOutcomeMetrics`), so a sum over instances
// is the total. (Counters kept in Redis and read back by every API replica were multiplied by that sum.)
import type { DiagnosticRecord } from '../diagnostics/record.js';

export interface MetricsStore {
  recordFinished(record: DiagnosticRecord): Promise<void>;
}

/** For a process that exports no outcome counters (tests, the CLI). */
export const NO_OUTCOME_METRICS: MetricsStore = { recordFinished: async () => undefined };
