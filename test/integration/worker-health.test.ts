// The worker's own HTTP listener (WORKER_HTTP_PORT): /livez, /readyz (Redis answers and the
// worker takes jobs), /metrics; in-process against a real Redis, then a real worker process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import client from 'prom-client';
import { loadConfig } from '../../src/config/index.js';
import { startDiagnosticWorker, type DiagnosticWorker } from '../../src/worker/create-worker.js';
import { startHealthServer, type WorkerHealthServer } from '../../src/worker/health-server.js';
import { freePort } from '../lab/free-port.js';
import { deleteKeys } from '../helpers/service.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const baseEnv = (prefix: string): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  SEAL_KEY: randomBytes(32).toString('base64'),
  HOST: '127.0.0.1',
  WEBHOOK_WORKER: 'false',
});

async function get(port: number, path: string, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

describe('worker health listener, in process', () => {
  const prefix = `test-wh-${randomBytes(6).toString('hex')}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let worker: DiagnosticWorker;
  let health: WorkerHealthServer;

  before(async () => {
    const config = loadConfig(baseEnv(prefix));
    worker = await startDiagnosticWorker({ config, logger: pino({ level: 'silent' }) });
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    health = await startHealthServer({ port: 0, host: '127.0.0.1', redis, registry, isRunning: () => worker.worker.isRunning() });
  });
  after(async () => {
    await health?.close();
    await worker?.close(0);
    await deleteKeys(redis, `${prefix}:*`);
    await redis.quit();
  });

  it('answers /livez, /readyz and /metrics while the worker runs', async () => {
    const live = await get(health.port, '/livez');
    assert.equal(live.status, 200);
    assert.deepEqual(JSON.parse(live.text), { status: 'ok' });
    const ready = await get(health.port, '/readyz');
    assert.equal(ready.status, 200, ready.text);
    const metrics = await get(health.port, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.type, /^text\/plain/);
    assert.match(metrics.text, /^process_cpu_user_seconds_total \d/m);
    assert.match(metrics.text, /^nodejs_heap_size_used_bytes \d/m);
    assert.equal((await get(health.port, '/nothing')).status, 404);
    const post = await get(health.port, '/livez', 'POST');
    assert.equal(post.status, 405);
    assert.equal(JSON.parse(post.text).code, 'METHOD_NOT_ALLOWED');
  });

  it('is not ready when Redis does not answer', async () => {
    const dead = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: () => 50 });
    dead.on('error', () => undefined);
    const h = await startHealthServer({ port: 0, host: '127.0.0.1', redis: dead, registry: new client.Registry(), isRunning: () => true, redisTimeoutMs: 300 });
    try {
      const ready = await get(h.port, '/readyz');
      assert.equal(ready.status, 503);
      assert.match(ready.type, /^application\/problem\+json/);
      assert.equal(JSON.parse(ready.text).code, 'REDIS_UNAVAILABLE');
      assert.equal((await get(h.port, '/livez')).status, 200, 'alive all the same');
    } finally {
      await h.close();
      dead.disconnect();
    }
  });

  it('is not ready once the worker stops taking jobs', async () => {
    await worker.close(0);
    const ready = await get(health.port, '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(JSON.parse(ready.text).code, 'WORKER_NOT_RUNNING');
  });
});

describe('worker process (src/worker.ts)', () => {
  it('serves WORKER_HTTP_PORT while it runs, and stops cleanly on SIGTERM', async () => {
    const prefix = `test-wh-${randomBytes(6).toString('hex')}`;
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: root, env: { ...baseEnv(prefix), WORKER_HTTP_PORT: String(port), LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      // Ready when it logs the listener (no polling loop, no sleep).
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('worker health listener started')) resolve();
        });
        void exited.then(([code]) => reject(new Error(`worker exited early (${code}): ${out}`)));
      });
      assert.equal((await get(port, '/livez')).status, 200);
      const ready = await get(port, '/readyz');
      assert.equal(ready.status, 200, ready.text);
      assert.match((await get(port, '/metrics')).text, /^process_resident_memory_bytes \d/m);
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0, out);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/livez`), 'the listener is closed with the process');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      const redis = new Redis(redisUrl);
      await deleteKeys(redis, `${prefix}:*`);
      await redis.quit();
    }
  });

  it('a port already taken is a clear fatal error, not a worker without health checks', async () => {
    const prefix = `test-wh-${randomBytes(6).toString('hex')}`;
    const blocker = (await import('node:net')).createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        cwd: root, env: { ...baseEnv(prefix), WORKER_HTTP_PORT: String(port), LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 1);
      assert.match(out, /cannot listen on WORKER_HTTP_PORT/);
      assert.match(out, /EADDRINUSE/);
    } finally {
      blocker.close();
      const redis = new Redis(redisUrl);
      await deleteKeys(redis, `${prefix}:*`);
      await redis.quit();
    }
  });
});
