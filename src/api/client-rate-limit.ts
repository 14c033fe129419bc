// Per-client request rate of a route, with @fastify/rate-limit on the shared Redis (every API
// process counts together), keyed by the authenticated client id under the deployment's prefix.
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ClientSettings } from '../config/index.js';
import { clientOf } from './auth.js';
import { ProblemError } from './problem.js';

/** Registers the plugin in `app` (not globally: only routes given `routeConfig` are limited). */
export async function registerClientRateLimit(app: FastifyInstance, redis: Redis, prefix: string): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: `${prefix}:ratelimit:`,
    // Fail closed: without Redis the request would fail anyway, and never unlimited.
    skipOnError: false,
  });
}

/** The route's `config.rateLimit`: each client's own `rateLimit` from its policy. */
export function clientRateLimit(clients: ReadonlyMap<string, ClientSettings>): RateLimitOptions {
  const limitOf = (clientId: string) => clients.get(clientId)?.policy.rateLimit;
  return {
    // Runs after the authenticator (instance hooks before route hooks), so the client is known.
    hook: 'onRequest',
    keyGenerator: (req) => clientOf(req),
    allowList: (_req, key) => !limitOf(key),
    max: (_req, key) => limitOf(key)?.max ?? 0,
    timeWindow: (_req, key) => (limitOf(key)?.windowSeconds ?? 60) * 1000,
    errorResponseBuilder: (_req, ctx) => {
      const seconds = Math.max(1, Math.ceil(ctx.ttl / 1000));
      return new ProblemError(429, 'RATE_LIMITED', `more than ${ctx.max} new diagnostics in this client's window; retry in ${seconds} s`,
        { headers: { 'retry-after': String(seconds) } });
    },
  };
}
