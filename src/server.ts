// Starts the API process: config, logger, app, listen; stops cleanly on SIGTERM/SIGINT.
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config/index.js';
import { createLogger } from './logging.js';
import { createRedis } from './store/redis.js';
import { createWebhookDispatcher } from './webhooks/dispatcher.js';

const config = loadConfigOrExit();
const logger = createLogger(config, undefined, { process: 'api' });
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
      process.exit(0);
    })().catch((err: Error) => { logger.error({ err: { message: err.message } }, 'unclean stop'); process.exit(1); });
  });
}
