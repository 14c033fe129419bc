// Nothing accepted is lost, on one Redis and on a Redis Cluster alike: a worker process killed
// mid-run (SIGKILL) → another worker runs the diagnostic again from the start; SIGTERM → the
// worker finishes (or hands back) and exits 0; Redis (the node holding the deployment's slot)
// killed and restarted with AOF → every acknowledged diagnostic is still there and runs.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import type { Response } from 'supertest';
import { createLogger } from '../../src/logging.js';
import { DIAGNOSTICS_QUEUE } from '../../src/queue/names.js';
import { storeKeys } from '../../src/store/keys.js';
import { startDiagnosticWorker } from '../../src/worker/create-worker.js';
import { freePort } from '../lab/free-port.js';
import { startRedisCluster, type RedisCluster } from '../lab/redis-cluster.js';
import { scanKeys, startService, startSilentDns, type Service } from '../helpers/service.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface WorkerProcess { child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

/** A real worker process (src/worker.ts) with the service's settings; resolves once it takes jobs. */
async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { cwd: root, env: { ...env, WEBHOOK_WORKER: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('diagnostics worker started')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    void exited.then((e) => reject(new Error(`worker exited early (${JSON.stringify(e)}): ${out}`)));
  });
  return { child, output: () => out, exited };
}

const post = (s: Service, account: string) =>
  s.request.post('/v1/diagnostics').set(s.auth).send({ account, password: 'Durable-pw-1', checks: ['mx'] });

/** Waits for BullMQ's own `event` of job `id` in the queue's event stream (it ends the job after the run ends the record). */
async function jobEvent(s: Service, id: string, event: string, timeoutMs = 10000): Promise<void> {
  const stream = `${s.config.REDIS_PREFIX}:${DIAGNOSTICS_QUEUE}:events`;
  const until = Date.now() + timeoutMs;
  let last = '0-0';
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) throw new Error(`job ${id}: no ${event} event in ${timeoutMs} ms`);
    const res = (await s.redis.xread('COUNT', 100, 'BLOCK', Math.min(left, 1000), 'STREAMS', stream, last)) as Array<[string, Array<[string, string[]]>]> | null;
    for (const [entryId, f] of res?.[0]?.[1] ?? []) {
      last = entryId;
      if (f[f.indexOf('event') + 1] === event && f[f.indexOf('jobId') + 1] === id) return;
    }
  }
}

async function eventTypes(s: Service, id: string): Promise<string[]> {
  const entries = await s.redis.xrange(storeKeys(s.config.REDIS_PREFIX).events(id), '-', '+');
  return entries.map(([, f]) => f[f.indexOf('type') + 1]);
}

/** POSTs three diagnostics, kills Redis (`restart`), and checks that all three are kept and run. */
async function acknowledgedSurviveRestart(s: Service, restart: () => Promise<void>): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r: { status: number; body: { id: string } } = await post(s, `aof${i}@durable.test`);
    assert.equal(r.status, 202);
    ids.push(r.body.id);
  }
  await restart();
  for (let i = 0; i < 50; i++) {
    const ready: Response = await s.request.get('/readyz');
    if (ready.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const id of ids) {
    const r: Response = await s.request.get(`/v1/diagnostics/${id}`).set(s.auth);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'queued');
  }
  const worker = await startDiagnosticWorker({ config: s.config, logger: createLogger({ LOG_LEVEL: 'silent' }) });
  try {
    for (const id of ids) assert.equal((await s.waitFor(id, ['completed', 'failed'], 20000)).status, 'completed');
  } finally {
    await worker.close(0);
  }
}

for (const topology of ['standalone', 'cluster'] as const) {
  describe(`${topology === 'cluster' ? 'Redis Cluster (three masters)' : 'one Redis'}: worker processes`, () => {
    let s: Service;
    let dns: Awaited<ReturnType<typeof startSilentDns>>;
    let cluster: RedisCluster | undefined;
    const spawned: WorkerProcess[] = [];
    before(async () => {
      // A resolver that never answers keeps each run busy for DNS_TIMEOUT_MS × 2 tries (~3 s).
      dns = await startSilentDns();
      if (topology === 'cluster') cluster = await startRedisCluster();
      s = await startService({
        DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: '1500', CHECK_TIMEOUT_MS: '20000',
        WORKER_LOCK_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', THROTTLE_MAX: '0',
        // The URL's host is not used under Cluster: only the nodes lead to the data.
        ...(cluster ? { REDIS_CLUSTER_NODES: cluster.nodesSetting, REDIS_URL: 'redis://127.0.0.1:1' } : {}),
      }, { worker: false });
    });
    after(async () => {
      for (const w of spawned) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      await Promise.all(spawned.map((w) => w.exited));
      await s?.close();
      await dns?.close();
      await cluster?.stop();
    });
    const start = async (extra: Record<string, string> = {}) => {
      const w = await spawnWorker({ ...s.env, ...extra });
      spawned.push(w);
      return w;
    };
    /** Each test ends with no worker of its own left (a leftover would take the next test's jobs). */
    const stopAll = async () => {
      for (const w of spawned) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await Promise.all(spawned.map((w) => w.exited));
    };
    // Also when a test fails half-way.
    afterEach(stopAll);

    test('SIGKILL mid-run: the job stalls and another worker runs it afresh to the end', async () => {
      const a = await start();
      const res = await post(s, 'killed@durable.test');
      assert.equal(res.status, 202);
      await s.waitForEvent(res.body.id, 'check.started', 15000);
      a.child.kill('SIGKILL');
      assert.equal((await a.exited).signal, 'SIGKILL');
      await start();
      const done = await s.waitFor(res.body.id, ['completed', 'failed'], 45000);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.equal(done.results.length, 1);
      assert.equal(done.results[0].id, 'mx');
      // The record is saved before the final event is appended: wait for the event too.
      await s.waitForEvent(res.body.id, 'diagnostic.finished', 5000);
      const types = await eventTypes(s, res.body.id);
      assert.equal(types.filter((t) => t === 'check.started').length, 2, `the retry started afresh: ${types.join(',')}`);
      assert.equal(types.at(-1), 'diagnostic.finished');
      await jobEvent(s, res.body.id, 'completed');
      const q = new Queue(DIAGNOSTICS_QUEUE, { connection: s.redis, prefix: s.config.REDIS_PREFIX });
      try {
        assert.equal(await q.getJob(res.body.id), undefined, 'the job (and its sealed password) is gone');
      } finally {
        await q.close();
      }
      if (cluster) {
        // Every key of the deployment (records, events, BullMQ's) sits on the one node of its hash tag.
        const home = await cluster.nodeOf(`${s.config.REDIS_PREFIX}:diag:x`);
        const keys = await scanKeys(s.redis, `${s.config.REDIS_PREFIX}:*`);
        assert.ok(keys.some((k) => k.startsWith(`${s.config.REDIS_PREFIX}:${DIAGNOSTICS_QUEUE}:`)), keys.join(', '));
        assert.equal(await cluster.dbsize(home), keys.length);
        for (const n of cluster.nodes.filter((x) => x !== home)) assert.equal(await cluster.dbsize(n), 0, `node ${n.port} holds none of the deployment's keys`);
      }
      await stopAll();
    });

    test('SIGTERM: the running diagnostic finishes within the grace period, then the worker exits 0', async () => {
      const w = await start({ WORKER_SHUTDOWN_GRACE_MS: '20000' });
      const res = await post(s, 'graceful@durable.test');
      await s.waitForEvent(res.body.id, 'check.started', 15000);
      w.child.kill('SIGTERM');
      const exit = await w.exited;
      assert.equal(exit.code, 0, w.output());
      const r = await s.request.get(res.headers.location).set(s.auth);
      assert.equal(r.body.status, 'completed', 'finished before the process exited');
    });

    test('SIGTERM with a short grace: the run is handed back to the queue, exit 0, and another worker finishes it', async () => {
      const w = await start({ WORKER_SHUTDOWN_GRACE_MS: '200' });
      const res = await post(s, 'handed-back@durable.test');
      await s.waitForEvent(res.body.id, 'check.started', 15000);
      w.child.kill('SIGTERM');
      const exit = await w.exited;
      assert.equal(exit.code, 0, w.output());
      assert.match(w.output(), /handed back/);
      const between = await s.request.get(res.headers.location).set(s.auth);
      assert.equal(between.body.status, 'queued');
      await start();
      const done = await s.waitFor(res.body.id, ['completed', 'failed'], 30000);
      assert.equal(done.status, 'completed');
      await stopAll();
    });

    if (topology === 'cluster') {
      test('the master holding the deployment\'s slot killed and restarted with AOF: every acknowledged diagnostic is kept and runs', async () => {
        const home = await cluster!.nodeOf(`${s.config.REDIS_PREFIX}:diag:x`);
        // SIGKILL: no shutdown flush; only what the node's AOF already holds survives.
        await acknowledgedSurviveRestart(s, () => cluster!.restartNode(home));
      });
    }
  });
}

test('one Redis killed and restarted with AOF: every acknowledged diagnostic is kept and runs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'exdiag-aof-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
  const startRedis = async () => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, exited };
  };
  let redis = await startRedis();
  let s: Service | undefined;
  try {
    s = await startService({ REDIS_URL: `redis://127.0.0.1:${port}`, DNS_SERVERS: '127.0.0.1:9', THROTTLE_MAX: '0' }, { worker: false });
    await acknowledgedSurviveRestart(s, async () => {
      // SIGKILL: no shutdown flush; only what the AOF already holds survives.
      redis.child.kill('SIGKILL');
      await redis.exited;
      redis = await startRedis();
    });
  } finally {
    await s?.close();
    redis.child.kill('SIGTERM');
    await redis.exited;
    await rm(dir, { recursive: true, force: true });
  }
});
