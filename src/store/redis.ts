// Redis connections. BullMQ workers need maxRetriesPerRequest null (blocking commands survive
// reconnects); the API fails fast instead so that /readyz and requests answer during an outage.
import { Redis } from 'ioredis';

export function createRedis(url: string, role: 'api' | 'worker' | 'subscriber', onError?: (err: Error) => void): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'api' ? 2 : null,
    enableReadyCheck: true,
    connectionName: `exdiag-${role}`,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // ioredis reconnects by itself; without a listener every failed attempt is printed to stderr.
  // Outages show in /readyz and in the errors of the commands that fail.
  redis.on('error', onError ?? (() => undefined));
  return redis;
}
