// Development: the API and a worker in one process (production runs them separately).
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config/index.js';
import { createLogger } from './logging.js';
import { createRedis } from './store/redis.js';
import { startTracing, stopTracing } from './tracing.js';
import { createWebhookDispatcher } from './webhooks/dispatcher.js';
import { startDiagnosticWorker } from './worker/create-worker.js';

const config = loadConfigOrExit();
const logger = createLogger(config, undefined, { process: 'dev' });
if (await startTracing(config, { 'exdiag.process': 'dev' })) logger.info({ otlp: new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT!).origin }, 'tracing on (OTLP/HTTP)');
const webhookRedis = createRedis(config, 'worker');
const webhooks = createWebhookDispatcher({ config, connection: webhookRedis, log: logger });
if (config.WEBHOOK_WORKER) webhooks.startWorker();
const onFinished = (r: Parameters<typeof webhooks.enqueueFor>[0]) => webhooks.enqueueFor(r);
const diagnostics = await startDiagnosticWorker({ config, logger, onFinished });
const app = await buildApp({ config, logger, onFinished });
await app.listen({ host: config.HOST, port: config.PORT });

process.once('SIGINT', () => {
  void (async () => {
    await app.close();
    await diagnostics.close(0);
    await webhooks.close();
    await webhookRedis.quit().catch(() => webhookRedis.disconnect());
    await stopTracing().catch(() => undefined);
    process.exit(0);
  })();
});
