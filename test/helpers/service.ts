// Builds the real service for a test: config from process.env (the lab's, under with-lab) plus
// overrides, a unique Redis prefix, a random seal key, two API clients, the app (not listening;
// supertest drives it) and an in-process worker. close() stops everything and deletes the keys.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import type { DiagnosticStatus } from '../../src/diagnostics/types.js';
import { createLogger } from '../../src/logging.js';
import { storeKeys } from '../../src/store/keys.js';
import { createRedis, dataNodes, isCluster, type RedisClient } from '../../src/store/redis.js';
import { startDiagnosticWorker, type DiagnosticWorker } from '../../src/worker/create-worker.js';

export interface StartOptions {
  /** Start the in-process worker (default true). */
  worker?: boolean;
}

export interface Service {
  app: FastifyInstance;
  request: supertest.Agent;
  config: Readonly<Config>;
  /** The environment the config was built from (to start worker processes with the same settings). */
  env: Record<string, string>;
  apiKey: string;
  otherApiKey: string;
  auth: { authorization: string };
  otherAuth: { authorization: string };
  redis: RedisClient;
  /** Every log line (JSON text) written by the app and the worker. */
  logs: string[];
  worker?: DiagnosticWorker;
  waitFor(id: string, status: DiagnosticStatus | DiagnosticStatus[], timeoutMs?: number): Promise<DiagnosticRecord>;
  /** Resolves with the first event of `type` in the diagnostic's stream (waits for it). */
  waitForEvent(id: string, type: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startService(overrides: Record<string, string> = {}, opts: StartOptions = {}): Promise<Service> {
  const apiKey = `alpha-${randomBytes(16).toString('hex')}`;
  const otherApiKey = `beta-${randomBytes(16).toString('hex')}`;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    REDIS_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    SEAL_KEY: randomBytes(32).toString('base64'),
    API_KEYS: `alpha:${apiKey},beta:${otherApiKey}`,
    // Worker processes spawned with this env (durability, events) must not race for port 9090.
    WORKER_HTTP_PORT: '0',
    ...overrides,
  };
  const config = loadConfig(env);
  const logs: string[] = [];
  const logger = createLogger(config, { write: (line: string) => { logs.push(line); } });
  const redis = createRedis(config, 'worker');
  const app = await buildApp({ config, logger });
  await app.ready();
  const worker = opts.worker === false ? undefined : await startDiagnosticWorker({ config, logger });
  const keys = storeKeys(config.REDIS_PREFIX);

  async function waitFor(id: string, status: DiagnosticStatus | DiagnosticStatus[], timeoutMs = 60000): Promise<DiagnosticRecord> {
    const wanted = [status].flat();
    const until = Date.now() + timeoutMs;
    let last = '0-0';
    let record: DiagnosticRecord | undefined;
    for (;;) {
      const raw = await redis.get(keys.diag(id));
      record = raw ? (JSON.parse(raw) as DiagnosticRecord) : undefined;
      if (record && wanted.includes(record.status)) return record;
      const left = until - Date.now();
      if (left <= 0) throw new Error(`diagnostic ${id} did not reach ${wanted.join('|')} in ${timeoutMs} ms (now ${record?.status ?? 'missing'})`);
      // Wake up on the diagnostic's next event rather than sleeping.
      const res = (await redis.xread('COUNT', 100, 'BLOCK', Math.min(left, 250), 'STREAMS', keys.events(id), last)) as
        Array<[string, Array<[string, string[]]>]> | null;
      const entries = res?.[0]?.[1];
      if (entries?.length) last = entries[entries.length - 1][0];
    }
  }

  async function waitForEvent(id: string, type: string, timeoutMs = 30000): Promise<Record<string, unknown>> {
    const until = Date.now() + timeoutMs;
    let last = '0-0';
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`diagnostic ${id}: no ${type} event in ${timeoutMs} ms`);
      const res = (await redis.xread('COUNT', 100, 'BLOCK', Math.min(left, 1000), 'STREAMS', keys.events(id), last)) as
        Array<[string, Array<[string, string[]]>]> | null;
      for (const [entryId, fields] of res?.[0]?.[1] ?? []) {
        last = entryId;
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
        if (f.type === type) return JSON.parse(f.data ?? '{}') as Record<string, unknown>;
      }
    }
  }

  let closed = false;
  return {
    app, config, env, apiKey, otherApiKey, redis, logs, worker, waitFor, waitForEvent,
    request: supertest.agent(app.server),
    auth: { authorization: `Bearer ${apiKey}` },
    otherAuth: { authorization: `Bearer ${otherApiKey}` },
    async close() {
      if (closed) return;
      closed = true;
      await worker?.close(0);
      await app.close();
      await deleteKeys(redis, `${config.REDIS_PREFIX}:*`);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Every key matching `pattern`, on every node that holds data (a cluster's masters, or the one Redis). */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const out: string[] = [];
  for (const node of dataNodes(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      out.push(...found);
    } while (cursor !== '0');
  }
  return out;
}

export async function deleteKeys(redis: RedisClient, pattern: string): Promise<void> {
  const found = await scanKeys(redis, pattern);
  // Under Cluster a multi-key DEL must stay within one slot: one key each there.
  if (isCluster(redis)) for (const key of found) await redis.del(key);
  else for (let i = 0; i < found.length; i += 500) await redis.del(...found.slice(i, i + 500));
}

/** Every value stored under `prefix`, whatever the key type, as text (for secret scans). */
export async function dumpKeys(redis: RedisClient, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  {
    const found = await scanKeys(redis, `${prefix}:*`);
    for (const key of found) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      else value = `<${type}>`;
      out.set(key, `${key} ${JSON.stringify(value)}`);
    }
  }
  return out;
}

/** A password and the forms it could leak in (base64 as in SASL PLAIN/Basic, URL-encoded). */
export function secretForms(secret: string): string[] {
  return [...new Set([secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)])];
}

/**
 * A real UDP DNS server that receives queries and never answers (a blackholed resolver): runs
 * that ask it stay busy for DNS_TIMEOUT_MS × tries, which gives tests a diagnostic "mid-run".
 */
export async function startSilentDns(): Promise<{ server: string; queries: () => number; close(): Promise<void> }> {
  const { createSocket } = await import('node:dgram');
  const sock = createSocket('udp4');
  let n = 0;
  sock.on('message', () => { n++; });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${sock.address().port}`,
    queries: () => n,
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
