// Prometheus scrape endpoints. `/metrics`: this process (scrape every replica). `/metrics/cluster`:
// the cluster-wide gauges read from Redis, the same on every replica (scrape one target). With
// METRICS_TOKEN set both want `Authorization: Bearer <token>`: queue depths and outcome counts are
// business data once the API faces more than the scraper.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Metrics } from '../../metrics.js';
import { ProblemError } from '../problem.js';

export interface MetricsRoutesOptions {
  metrics: Metrics;
  /** METRICS_TOKEN; undefined = open. */
  token?: string;
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, o) => {
  const guard = o.token ? bearerGuard(o.token) : undefined;
  const opts = guard ? { onRequest: guard } : {};
  for (const [url, registry] of [['/metrics', o.metrics.registry], ['/metrics/cluster', o.metrics.cluster]] as const) {
    app.get(url, opts, async (_req, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    });
  }
};

function bearerGuard(token: string) {
  // Digests have one length, so the comparison is constant-time whatever was sent.
  const want = createHash('sha256').update(token).digest();
  return async (req: FastifyRequest): Promise<void> => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const got = createHash('sha256').update(m?.[1] ?? '').digest();
    if (!m || !timingSafeEqual(want, got)) {
      throw new ProblemError(401, 'UNAUTHORIZED', 'send Authorization: Bearer <METRICS_TOKEN>',
        { headers: { 'www-authenticate': 'Bearer realm="exchange-diagnostics metrics"' } });
    }
  };
}
