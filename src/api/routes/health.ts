// Liveness (the process answers) and readiness (Redis answers) for orchestrators.
import type { FastifyPluginAsync } from 'fastify';
import type { RedisClient } from '../../store/redis.js';
import { ProblemError } from '../problem.js';

export const healthRoutes: FastifyPluginAsync<{ redis: RedisClient; timeoutMs?: number }> = async (app, o) => {
  app.get('/livez', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), o.timeoutMs ?? 1000); });
    try {
      await Promise.race([o.redis.ping(), timeout]);
    } catch {
      throw new ProblemError(503, 'REDIS_UNAVAILABLE', 'Redis does not answer');
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok' };
  });
};
