// Prometheus scrape endpoint.
import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics.js';

export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, o) => {
  app.get('/metrics', async (_req, reply) => {
    const text = await o.metrics.registry.metrics();
    return reply.type(o.metrics.registry.contentType).send(text);
  });
};
