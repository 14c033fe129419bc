// Prometheus metrics, in two registries so that naive PromQL is right however many replicas run:
// - per process (`/metrics` of every API and worker): Node's default metrics under their standard
//   names, the API's HTTP traffic, and the outcome counters of the diagnostics *this process* ended
//   (workers end almost all of them; an API ends the queued ones it cancels). Every series counts
//   something only its own process saw, so `sum(rate(…))` over all instances is the true rate;
// - cluster-wide (`/metrics/cluster` of the API): queue depths read from Redis, the same for every
//   replica, so that endpoint is meant to be scraped once (one target), not per replica.
import client from 'prom-client';
import type { Queue } from 'bullmq';
import type { DiagnosticRecord } from './diagnostics/record.js';
import type { MetricsStore } from './store/metrics-store.js';

/**
 * Registers the outcome counters in `registry` and returns what the finisher calls when this
 * process ends a diagnostic. Counters start at zero with the process (Prometheus reads that as a reset).
 */
export function registerOutcomeMetrics(registry: client.Registry): MetricsStore {
  const finished = new client.Counter({
    name: 'exdiag_diagnostics_finished_total', help: 'Diagnostics this process ended, by status and verdict (sum over instances for the total).',
    labelNames: ['status', 'verdict'] as const, registers: [registry],
  });
  const checks = new client.Counter({
    name: 'exdiag_check_results_total', help: 'Check outcomes of the diagnostics this process ended, by check, status and code.',
    labelNames: ['check', 'status', 'code'] as const, registers: [registry],
  });
  return {
    async recordFinished(r: DiagnosticRecord) {
      finished.inc({ status: r.status, verdict: r.verdict ?? 'none' });
      for (const c of r.results) checks.inc({ check: c.id, status: c.status, code: c.code ?? 'none' });
    },
  };
}

/** The API process's registries: its own metrics, and the cluster-wide gauges read from Redis. */
export function createMetrics(opts: { queue: Pick<Queue, 'getJobCounts'> }) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });

  const httpRequests = new client.Counter({
    name: 'exdiag_http_requests_total', help: 'HTTP requests answered by this API process.',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'exdiag_http_request_duration_seconds', help: 'HTTP request latency of this API process.',
    labelNames: ['method', 'route'] as const, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const outcomes = registerOutcomeMetrics(registry);

  const cluster = new client.Registry();
  new client.Gauge({
    name: 'exdiag_queue_jobs', help: 'Diagnostic jobs in the queue by state (cluster-wide, read from Redis: scrape one target).',
    labelNames: ['state'] as const, registers: [cluster],
    async collect() {
      const counts = await opts.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });

  return {
    registry,
    cluster,
    outcomes,
    observeHttp(method: string, route: string, status: number, seconds: number) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
