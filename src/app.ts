// The fastify app as a factory: tests build it without listening, server.ts makes it listen.
// Everything it talks to (Redis, logger, webhook hook) is passed in or built from the config.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { RedisClient } from './store/redis.js';
import type { Logger } from 'pino';
import { AccessLogController } from './api/access-log.js';
import { createAuthenticator } from './api/auth.js';
import { loadOpenApi } from './api/openapi.js';
import { registerProblemHandlers } from './api/problem.js';
import { deliveriesRoutes } from './api/routes/deliveries.js';
import { diagnosticsRoutes } from './api/routes/diagnostics.js';
import { eventsRoutes } from './api/routes/events.js';
import { healthRoutes } from './api/routes/health.js';
import { metricsRoutes } from './api/routes/metrics.js';
import { platformsRoutes } from './api/routes/platforms.js';
import { reportRoutes } from './api/routes/report.js';
import { uiRoutes } from './api/routes/ui.js';
import { createValidatorCompiler } from './api/validation.js';
import { requireSealKey, type Config } from './config/index.js';
import { createMetrics } from './metrics.js';
import { sealKeyring } from './queue/keyring.js';
import { createDiagnosticProducer } from './queue/producer.js';
import { createAdmission } from './store/admission.js';
import { createDiagnosticStore } from './store/diagnostic-store.js';
import { createEventWriter } from './store/events.js';
import { createFinisher, type OnFinished } from './store/finisher.js';
import { createRedis } from './store/redis.js';
import { storeTtls } from './store/ttl.js';
import { traceDiagnosticRequests } from './tracing.js';

export interface AppOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** API connection; created (and closed with the app) when absent. */
  redis?: RedisClient;
  /** Called when the API itself ends a diagnostic (cancel of a queued one): the webhook hook. */
  onFinished?: OnFinished;
  /** Path of the contract (default: the repository's openapi.yaml). */
  openapiPath?: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered (method, url), for the contract test and operators. */
    routeCatalogue: Array<{ method: string; url: string; hidden: boolean }>;
  }
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const sealKey = sealKeyring(requireSealKey(config), config.sealKeyPrevious);
  const redis = opts.redis ?? createRedis(config, 'api');
  const { doc, text } = loadOpenApi(opts.openapiPath);

  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    // One access line per request, of known-safe fields only (api/access-log.ts).
    logController: new AccessLogController(opts.logger),
    // Never 500 on a proto-poisoned body; keep error details for the handler.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    bodyLimit: 256 * 1024,
  });
  const catalogue: FastifyInstance['routeCatalogue'] = [];
  app.decorate('routeCatalogue', catalogue);
  app.addHook('onRoute', (r) => {
    // `schema.hide` marks routes that are not part of the API (the support page's assets).
    const hidden = Boolean((r.schema as { hide?: boolean } | undefined)?.hide);
    for (const m of [r.method].flat()) if (m !== 'HEAD') catalogue.push({ method: m, url: r.url, hidden });
  });
  app.setValidatorCompiler(createValidatorCompiler(doc));
  // Only JSON bodies: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser(['text/plain']);
  registerProblemHandlers(app);
  // Registers nothing unless startTracing() turned tracing on.
  traceDiagnosticRequests(app);

  const producer = createDiagnosticProducer({
    connection: redis, prefix: config.REDIS_PREFIX,
    onError: (err) => opts.logger.warn({ err: { name: err.name, message: err.message } }, 'queue connection error'),
  });
  const store = createDiagnosticStore(redis, config.REDIS_PREFIX, storeTtls(config));
  const metrics = createMetrics({ queue: producer.queue, connection: redis, prefix: config.REDIS_PREFIX });
  const events = createEventWriter(redis, config.REDIS_PREFIX, storeTtls(config));
  const finish = createFinisher({ store, events, metrics: metrics.outcomes, log: opts.logger, onFinished: opts.onFinished });
  const admission = createAdmission({ redis, prefix: config.REDIS_PREFIX, ttls: storeTtls(config), store, producer, finish, log: opts.logger });

  app.addHook('onResponse', async (req, reply) => {
    metrics.observeHttp(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook('onClose', async () => {
    await metrics.close();
    await producer.close();
    if (!opts.redis) await redis.quit().catch(() => redis.disconnect());
  });

  const { $id: _id, ...published } = doc as typeof doc & { $id?: string };
  await app.register(swagger, { mode: 'static', specification: { document: published as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.yaml', async (_req, reply) => reply.type('application/yaml').send(text));

  await app.register(healthRoutes, { redis });
  await app.register(metricsRoutes, { metrics, token: config.METRICS_TOKEN });
  await app.register(uiRoutes);
  await app.register(async (v1) => {
    v1.addHook('onRequest', createAuthenticator(config.clients));
    await v1.register(diagnosticsRoutes, { config, sealKey, doc, store, admission, producer, finish, redis });
    await v1.register(eventsRoutes, { config, redis, doc });
    await v1.register(reportRoutes, { config, redis, doc });
    await v1.register(deliveriesRoutes, { config, redis, doc });
    await v1.register(platformsRoutes, { config, doc });
  });
  return app;
}
