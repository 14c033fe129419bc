// Prometheus metrics, in two registries so that naive PromQL is right however many replicas run:
// - per process (`/metrics` of every API and worker): Node's default metrics under their standard
//   names, the API's HTTP traffic, and the outcome counters of the diagnostics *this process* ended
//   (workers end almost all of them; an API ends the queued ones it cancels). Every series counts
//   something only its own process saw, so `sum(rate(…))` over all instances is the true rate;
// - cluster-wide (`/metrics/cluster` of the API): queue depths read from Redis, the same for every
//   replica, so that endpoint is meant to be scraped once (one target), not per replica. BullMQ's
//   own export of both queues (bullmq_job_count{queue,state}) is appended there.
import client from 'prom-client';
import { Queue } from 'bullmq';
import type { DiagnosticRecord } from './diagnostics/record.js';
import type { MetricsStore } from './store/metrics-store.js';
import type { RedisClient } from './store/redis.js';
import { WEBHOOK_QUEUE, type DeliveryMetrics } from './webhooks/delivery-worker.js';

/** Checks take from a few ms (a cached DNS answer) to RECEIVE_TIMEOUT_MS + 15 s (75 s by default) and the 120 s deadline. */
export const CHECK_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120];
/** A whole diagnostic: under a second (DNS only) to DIAGNOSTIC_DEADLINE_MS (120 s by default). */
export const DIAGNOSTIC_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300];
/** One webhook attempt, up to WEBHOOK_TIMEOUT_MS (10 s by default). */
export const WEBHOOK_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

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
  const checkDuration = new client.Histogram({
    name: 'exdiag_check_duration_seconds', help: 'How long each check that ran took (skipped checks are not observed), in the diagnostics this process ended.',
    labelNames: ['check', 'status'] as const, registers: [registry], buckets: CHECK_DURATION_BUCKETS,
  });
  const runDuration = new client.Histogram({
    name: 'exdiag_diagnostic_duration_seconds', help: 'How long the completed diagnostics this process ended took, by verdict.',
    labelNames: ['verdict'] as const, registers: [registry], buckets: DIAGNOSTIC_DURATION_BUCKETS,
  });
  return {
    async recordFinished(r: DiagnosticRecord) {
      finished.inc({ status: r.status, verdict: r.verdict ?? 'none' });
      for (const c of r.results) {
        checks.inc({ check: c.id, status: c.status, code: c.code ?? 'none' });
        // A skipped check did not run (its durationMs is 0): observing it would drag the quantiles down.
        if (c.status !== 'skipped') checkDuration.observe({ check: c.id, status: c.status }, c.durationMs / 1000);
      }
      // Only a completed run has a verdict and a duration (failed and cancelled runs have neither).
      if (r.verdict && typeof r.durationMs === 'number') runDuration.observe({ verdict: r.verdict }, r.durationMs / 1000);
    },
  };
}

/**
 * Webhook delivery counters of the process that delivers (src/webhooks/delivery-worker.ts): each
 * attempt's outcome with the class of the receiver's answer, and how long the exchange took.
 */
export function registerWebhookMetrics(registry: client.Registry): DeliveryMetrics {
  const deliveries = new client.Counter({
    name: 'exdiag_webhook_deliveries_total',
    help: 'Webhook attempts of this process by outcome (delivered, retried, failed, gone, refused, skipped) and status_class (2xx-5xx, timeout, network, none: not sent).',
    labelNames: ['outcome', 'status_class'] as const, registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'exdiag_webhook_delivery_duration_seconds', help: 'Time from sending a webhook to the receiver\'s answer (or the error), by status_class.',
    labelNames: ['status_class'] as const, registers: [registry], buckets: WEBHOOK_DURATION_BUCKETS,
  });
  return {
    attempt(outcome, statusClass, seconds) {
      deliveries.inc({ outcome, status_class: statusClass });
      if (seconds !== undefined) duration.observe({ status_class: statusClass }, seconds);
    },
  };
}

/** The API process's registries: its own metrics, and the cluster-wide gauges read from Redis. */
export function createMetrics(opts: {
  queue: Pick<Queue, 'getJobCounts' | 'exportPrometheusMetrics'>;
  /** With these, the webhook queue's BullMQ export is on /metrics/cluster too (close() closes it). */
  connection?: RedisClient;
  prefix?: string;
}) {
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

  const clusterRegistry = new client.Registry();
  new client.Gauge({
    name: 'exdiag_queue_jobs', help: 'Diagnostic jobs in the queue by state (cluster-wide, read from Redis: scrape one target).',
    labelNames: ['state'] as const, registers: [clusterRegistry],
    async collect() {
      const counts = await opts.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });

  // The webhook queue, read only (its jobs are added by the dispatcher); it shares the API's connection.
  const webhookQueue = opts.connection ? new Queue(WEBHOOK_QUEUE, { connection: opts.connection, prefix: opts.prefix }) : undefined;
  webhookQueue?.on('error', () => undefined);
  const queues = [opts.queue, ...(webhookQueue ? [webhookQueue] : [])];
  const cluster: Pick<client.Registry, 'metrics' | 'contentType'> = {
    contentType: clusterRegistry.contentType,
    async metrics() {
      const [own, ...bull] = await Promise.all([clusterRegistry.metrics(), ...queues.map((q) => q.exportPrometheusMetrics())]);
      return mergeExposition([own, ...bull], BULLMQ_DROPPED);
    },
  };

  return {
    registry,
    cluster,
    outcomes,
    async close() {
      await webhookQueue?.close();
    },
    observeHttp(method: string, route: string, status: number, seconds: number) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * BullMQ's export (node_modules/bullmq/dist/esm/classes/queue-getters.js, Queue#exportPrometheusMetrics)
 * also writes bullmq_job_completed_total / bullmq_job_failed_total from its per-queue metrics, which
 * only count when workers run with BullMQ's `metrics` option: it is off here (its keys never expire,
 * and exdiag_diagnostics_finished_total counts outcomes), so those two would read 0 for ever.
 */
const BULLMQ_DROPPED = new Set(['bullmq_job_completed_total', 'bullmq_job_failed_total']);

/**
 * Joins text expositions into one valid one: each family's HELP and TYPE once, its samples together
 * (BullMQ exports each queue with its own HELP/TYPE lines, which may not repeat), blanks between label
 * pairs removed, and the final line feed the format wants. Families in `drop` are left out.
 */
export function mergeExposition(texts: string[], drop: ReadonlySet<string> = new Set()): string {
  const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, f = { samples: [] });
    return f;
  };
  for (const text of texts) {
    let current: string | undefined;
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const meta = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (meta) {
        current = meta[2];
        const f = family(current);
        if (meta[1] === 'HELP') f.help ??= meta[3] ?? '';
        else f.type ??= meta[3] ?? 'untyped';
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (!name) continue;
      // A histogram's _bucket/_sum/_count belong to the family declared just before them.
      const owner = current && (name === current || name.startsWith(`${current}_`)) ? current : name;
      family(owner).samples.push(compactLabels(line));
    }
  }
  const out: string[] = [];
  for (const [name, f] of families) {
    if (drop.has(name)) continue;
    if (f.help !== undefined) out.push(`# HELP ${name} ${f.help}`);
    if (f.type !== undefined) out.push(`# TYPE ${name} ${f.type}`);
    out.push(...f.samples);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** `a{x="1", y="2"} 3` → `a{x="1",y="2"} 3`: blanks outside quoted values, inside the braces, removed. */
function compactLabels(line: string): string {
  const open = line.indexOf('{');
  if (open < 0) return line;
  let out = line.slice(0, open + 1);
  let quoted = false;
  for (let i = open + 1; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      out += c;
      if (c === '\\') out += line[++i] ?? '';
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') { quoted = true; out += c; continue; }
    if (c === ' ' || c === '\t') continue;
    out += c;
    if (c === '}') return out + line.slice(i + 1);
  }
  return out;
}
