// Starts the API process: config, logger, app, listen; stops cleanly on SIGTERM/SIGINT.
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config/index.js';
import { createLogger } from './logging.js';
import { createRedis } from './store/redis.js';
import { startTracing, stopTracing } from './tracing.js';
import { createWebhookDispatcher } from './webhooks/dispatcher.js';

const config = loadConfigOrExit();
const logger = createLogger(config, undefined, { process: 'api' });
// Before buildApp: the app registers its tracing hooks only when tracing is on.
if (await startTracing(config, { 'exdiag.process': 'api' })) logger.info({ otlp: new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT!).origin }, 'tracing on (OTLP/HTTP)');
const webhookRedis = createRedis(config, 'worker');
const webhooks = createWebhookDispatcher({ config, connection: webhookRedis, log: logger });
const app = await buildApp({ config, logger, onFinished: (r) => webhooks.enqueueFor(r) });
await app.listen({ host: config.HOST, port: config.PORT });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the API');
    void (async () => {
      await app.close();
      await webhooks.close();
      await webhookRedis.quit().catch(() => webhookRedis.disconnect());
      await stopTracing().catch(() => undefined);
      process.exit(0);
    })().catch((err: Error) => { logger.error({ err: { message: err.message } }, 'unclean stop'); process.exit(1); });
  });
}
