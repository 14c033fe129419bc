// Prometheus metrics of the API process: its own HTTP traffic, plus queue depth and outcome
// counters read from Redis at scrape time (workers are other processes).
import client from 'prom-client';
import type { Queue } from 'bullmq';
import type { MetricsStore } from './store/metrics-store.js';

export function createMetrics(opts: { queue: Queue; outcomes: MetricsStore }) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'exdiag_' });

  const httpRequests = new client.Counter({
    name: 'exdiag_http_requests_total', help: 'HTTP requests answered by the API.',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: 'exdiag_http_request_duration_seconds', help: 'HTTP request latency.',
    labelNames: ['method', 'route'] as const, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  new client.Gauge({
    name: 'exdiag_queue_jobs', help: 'Diagnostic jobs in the queue by state.',
    labelNames: ['state'] as const, registers: [registry],
    async collect() {
      const counts = await opts.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  // Counters whose truth lives in Redis: reset, then set to the stored totals at each scrape.
  new client.Counter({
    name: 'exdiag_diagnostics_finished_total', help: 'Finished diagnostics by status and verdict (all workers).',
    labelNames: ['status', 'verdict'] as const, registers: [registry],
    async collect() {
      const { diagnostics } = await opts.outcomes.read();
      this.reset();
      for (const d of diagnostics) this.inc({ status: d.status, verdict: d.verdict }, d.value);
    },
  });
  new client.Counter({
    name: 'exdiag_check_results_total', help: 'Check outcomes by check, status and code (all workers).',
    labelNames: ['check', 'status', 'code'] as const, registers: [registry],
    async collect() {
      const { checks } = await opts.outcomes.read();
      this.reset();
      for (const c of checks) this.inc({ check: c.check, status: c.status, code: c.code }, c.value);
    },
  });

  return {
    registry,
    observeHttp(method: string, route: string, status: number, seconds: number) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
