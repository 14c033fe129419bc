// Webhook deliveries of one diagnostic: every attempt (GET) and a re-send on request (POST).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RedisClient } from '../../store/redis.js';
import type { Config } from '../../config/index.js';
import { createDiagnosticStore } from '../../store/diagnostic-store.js';
import { storeTtls } from '../../store/ttl.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../webhooks/dispatcher.js';
import { routeSchema, type OpenApiDocument } from '../openapi.js';
import { ProblemError } from '../problem.js';
import { ownedRecord } from '../owned-record.js';

export interface DeliveriesRouteOptions {
  config: Config;
  redis: RedisClient;
  /** The contract: params and body are validated against it. */
  doc: OpenApiDocument;
  /** Auth hook when the route is not registered inside the authenticated /v1 scope. */
  authenticate?: (req: FastifyRequest) => Promise<void>;
  /** The app's dispatcher if it has one; otherwise the route makes one (queue only, no worker). */
  webhooks?: WebhookDispatcher;
}

export async function deliveriesRoutes(app: FastifyInstance, opts: DeliveriesRouteOptions): Promise<void> {
  const store = createDiagnosticStore(opts.redis, opts.config.REDIS_PREFIX, storeTtls(opts.config));
  let own: WebhookDispatcher | undefined;
  const webhooks = () => opts.webhooks ?? (own ??= createWebhookDispatcher({ config: opts.config, connection: opts.redis, log: app.log }));
  app.addHook('onClose', async () => { await own?.close(); });

  const owned = (req: FastifyRequest<{ Params: { id: string } }>) => ownedRecord(store, req);

  const auth = opts.authenticate ? { preHandler: opts.authenticate } : {};

  app.get<{ Params: { id: string } }>('/v1/diagnostics/:id/deliveries', {
    ...auth,
    schema: routeSchema(opts.doc, '/v1/diagnostics/{id}/deliveries', 'get'),
  }, async (req) => {
    const record = await owned(req);
    return { diagnosticId: record.id, items: await webhooks().deliveries(record.id) };
  });

  app.post<{ Params: { id: string } }>('/v1/diagnostics/:id/deliveries', {
    ...auth,
    schema: routeSchema(opts.doc, '/v1/diagnostics/{id}/deliveries', 'post'),
    bodyLimit: 1024,
    // The body is optional: none at all is validated as the empty object.
    preValidation: async (req) => { req.body ??= {}; },
  }, async (req, reply) => {
    const record = await owned(req);
    if (record.status === 'queued' || record.status === 'running') {
      throw new ProblemError(409, 'DIAGNOSTIC_NOT_FINISHED', 'webhooks are sent when the diagnostic ends; it is still running');
    }
    const r = await webhooks().resend(record);
    if (!r.queued) {
      const noUrl = r.reason.startsWith('no webhook URL');
      throw new ProblemError(noUrl ? 409 : 422, noUrl ? 'NO_WEBHOOK_URL' : 'WEBHOOK_URL_FORBIDDEN', r.reason);
    }
    return reply.code(202).header('location', `/v1/diagnostics/${record.id}/deliveries`).send({ diagnosticId: record.id, queued: true, url: r.url });
  });
}
