// Starts a worker process: diagnostics (and webhook deliveries unless WEBHOOK_WORKER=false), and the
// worker's health and metrics listener on WORKER_HTTP_PORT (0: none).
// SIGTERM: stop taking jobs, let running ones finish for WORKER_SHUTDOWN_GRACE_MS, hand back the rest, exit 0.
import client from 'prom-client';
import { loadConfigOrExit } from './config/index.js';
import { createLogger } from './logging.js';
import { registerOutcomeMetrics, registerWebhookMetrics } from './metrics.js';
import { buildCheckDeps } from './run/build-deps.js';
import { createRedis } from './store/redis.js';
import { startTracing, stopTracing } from './tracing.js';
import { createWebhookDispatcher } from './webhooks/dispatcher.js';
import { startDiagnosticWorker } from './worker/create-worker.js';
import { startHealthServer, type WorkerHealthServer } from './worker/health-server.js';
import { registerRuntimeMetrics } from './worker/runtime-metrics.js';

const config = loadConfigOrExit();
const logger = createLogger(config, undefined, { process: 'worker', pid: process.pid });
if (await startTracing(config, { 'exdiag.process': 'worker' })) logger.info({ otlp: new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT!).origin }, 'tracing on (OTLP/HTTP)');
// The worker's own registry (served on WORKER_HTTP_PORT's /metrics): it counts the diagnostics this
// process ends (outcomes, check and run durations) and the webhook attempts it makes.
const registry = new client.Registry();
const outcomes = registerOutcomeMetrics(registry);
const webhookRedis = createRedis(config, 'worker');
const webhooks = createWebhookDispatcher({ config, connection: webhookRedis, log: logger, metrics: registerWebhookMetrics(registry) });
if (config.WEBHOOK_WORKER) webhooks.startWorker();
// Built here rather than inside the worker so that /metrics can read the resolver's counters.
const checkDeps = buildCheckDeps(config);
const diagnostics = await startDiagnosticWorker({ config, logger, checkDeps, outcomes, onFinished: (r) => webhooks.enqueueFor(r) });

let stopping = false;
let health: WorkerHealthServer | undefined;
if (config.WORKER_HTTP_PORT) {
  client.collectDefaultMetrics({ register: registry });
  registerRuntimeMetrics({ registry, dnsStats: () => checkDeps.net.dns.stats(), gate: diagnostics.gate });
  try {
    health = await startHealthServer({
      port: config.WORKER_HTTP_PORT, host: config.HOST, registry,
      redis: webhookRedis,
      isRunning: () => !stopping && diagnostics.worker.isRunning(),
    });
  } catch (err) {
    // Orchestrators probe this port: a worker without it would be restarted as dead anyway.
    logger.fatal({ err: { code: (err as NodeJS.ErrnoException).code, message: (err as Error).message }, port: config.WORKER_HTTP_PORT },
      'cannot listen on WORKER_HTTP_PORT: give each worker process on a host its own port, or 0 to turn the listener off');
    await diagnostics.close(0);
    process.exit(1);
  }
  logger.info({ port: health.port }, 'worker health listener started (/livez, /readyz, /metrics)');
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'stopping the worker');
    void (async () => {
      await diagnostics.close();
      await webhooks.close();
      await webhookRedis.quit().catch(() => webhookRedis.disconnect());
      // Last: /livez answers while running diagnostics finish.
      await health?.close();
      await stopTracing().catch(() => undefined);
      process.exit(0);
    })().catch((err: Error) => { logger.error({ err: { message: err.message } }, 'unclean stop'); process.exit(1); });
  });
}
