// Starts a worker process: diagnostics (and webhook deliveries unless WEBHOOK_WORKER=false).
// SIGTERM: stop taking jobs, let running ones finish for WORKER_SHUTDOWN_GRACE_MS, hand back the rest, exit 0.
import { loadConfigOrExit } from './config/index.js';
import { createLogger } from './logging.js';
import { createRedis } from './store/redis.js';
import { createWebhookDispatcher } from './webhooks/dispatcher.js';
import { startDiagnosticWorker } from './worker/create-worker.js';

const config = loadConfigOrExit();
const logger = createLogger(config, undefined, { process: 'worker', pid: process.pid });
const webhookRedis = createRedis(config, 'worker');
const webhooks = createWebhookDispatcher({ config, connection: webhookRedis, log: logger });
if (config.WEBHOOK_WORKER) webhooks.startWorker();
const diagnostics = await startDiagnosticWorker({ config, logger, onFinished: (r) => webhooks.enqueueFor(r) });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'stopping the worker');
    void (async () => {
      await diagnostics.close();
      await webhooks.close();
      await webhookRedis.quit().catch(() => webhookRedis.disconnect());
      process.exit(0);
    })().catch((err: Error) => { logger.error({ err: { message: err.message } }, 'unclean stop'); process.exit(1); });
  });
}
