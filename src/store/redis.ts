// Redis connections. BullMQ workers need maxRetriesPerRequest null (blocking commands survive
// reconnects); the API fails fast instead so that /readyz and requests answer during an outage.
// With REDIS_SENTINELS set, the same options reach the master the sentinels name.
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/index.js';

export type RedisSettings = Pick<Config, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME'>;

export function createRedis(settings: RedisSettings, role: 'api' | 'worker' | 'subscriber', onError?: (err: Error) => void): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'api' ? 2 : null,
    enableReadyCheck: true,
    connectionName: `exdiag-${role}`,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const redis = settings.REDIS_SENTINELS.length
    ? new Redis({ ...fromUrl(settings.REDIS_URL), ...options, name: settings.REDIS_SENTINEL_NAME, sentinels: settings.REDIS_SENTINELS.map(hostPort) })
    : new Redis(settings.REDIS_URL, options);
  // ioredis reconnects by itself; without a listener every failed attempt is printed to stderr.
  // Outages show in /readyz and in the errors of the commands that fail.
  redis.on('error', onError ?? (() => undefined));
  return redis;
}

function hostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/** Password, user, db and TLS of a redis(s):// URL, for a connection whose address comes from Sentinel. */
function fromUrl(url: string): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
