// Redis connections. BullMQ workers need maxRetriesPerRequest null (blocking commands survive
// reconnects); the API fails fast instead so that /readyz and requests answer during an outage.
// With REDIS_SENTINELS set, the same options reach the master the sentinels name; with
// REDIS_CLUSTER_NODES, an ioredis Cluster (every key of a deployment shares one hash tag, see
// config REDIS_PREFIX, so scripts and transactions stay on one node).
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from '../config/index.js';

/** A connection to one Redis (standalone or found by Sentinel) or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export type RedisSettings = Pick<Config, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_CLUSTER_NODES'>;

export function createRedis(settings: RedisSettings, role: 'api' | 'worker' | 'subscriber', onError?: (err: Error) => void): RedisClient {
  const options: RedisOptions = {
    maxRetriesPerRequest: role === 'api' ? 2 : null,
    enableReadyCheck: true,
    connectionName: `exdiag-${role}`,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  let redis: RedisClient;
  if (settings.REDIS_CLUSTER_NODES.length) {
    const { db: _onlyZero, ...auth } = fromUrl(settings.REDIS_URL);
    const { retryStrategy, ...nodeOptions } = options;
    redis = new Cluster(settings.REDIS_CLUSTER_NODES.map(hostPort), {
      // Password, user and TLS of REDIS_URL apply to every node, as under Sentinel.
      redisOptions: { ...auth, ...nodeOptions },
      enableReadyCheck: true,
      // Reads go to masters: a record just written must be read back as written.
      scaleReads: 'master',
      clusterRetryStrategy: retryStrategy,
      // A node that restarts (same slots) is reconnected rather than waiting for a MOVED.
      clusterNodeRetryStrategy: retryStrategy,
    } satisfies ClusterOptions);
  } else if (settings.REDIS_SENTINELS.length) {
    redis = new Redis({ ...fromUrl(settings.REDIS_URL), ...options, name: settings.REDIS_SENTINEL_NAME, sentinels: settings.REDIS_SENTINELS.map(hostPort) });
  } else {
    redis = new Redis(settings.REDIS_URL, options);
  }
  // ioredis reconnects by itself; without a listener every failed attempt is printed to stderr.
  // Outages show in /readyz and in the errors of the commands that fail.
  redis.on('error', onError ?? (() => undefined));
  return redis;
}

export const isCluster = (redis: RedisClient): redis is Cluster => redis instanceof Cluster;

/**
 * A new connection with the same target and credentials (a dedicated one for blocking reads).
 * `enableOfflineQueue` is a cluster-wide option under Cluster, a connection option otherwise.
 */
export function duplicateRedis(redis: RedisClient, overrides: Pick<RedisOptions, 'connectionName' | 'maxRetriesPerRequest' | 'enableOfflineQueue'>): RedisClient {
  if (!isCluster(redis)) return redis.duplicate(overrides);
  const { enableOfflineQueue, ...nodeOverrides } = overrides;
  return redis.duplicate(undefined, {
    redisOptions: { ...redis.options.redisOptions, ...nodeOverrides },
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
  });
}

/** The connections that hold data: the masters of a cluster, or the one Redis (SCAN and SCRIPT go to each). */
export function dataNodes(redis: RedisClient): Redis[] {
  return isCluster(redis) ? redis.nodes('master') : [redis];
}

function hostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/** Password, user, db and TLS of a redis(s):// URL, for connections whose address comes from elsewhere. */
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
