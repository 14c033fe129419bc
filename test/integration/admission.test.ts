// A new diagnostic is its record and its job, written together or not at all, in one round trip
// (store/admission.ts): a job add Redis refuses leaves no record and no lock; refused POSTs write
// no job; a job without a record is dropped by the worker, never run; the request rate is counted
// by the same round trip (invalid POSTs too); a lost script cache costs nothing but its reload.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Response } from 'supertest';
import { sealKeyring } from '../../src/queue/keyring.js';
import { DIAGNOSTICS_QUEUE } from '../../src/queue/names.js';
import { DIAGNOSTIC_JOB } from '../../src/queue/producer.js';
import { seal } from '../../src/queue/seal.js';
import { storeKeys } from '../../src/store/keys.js';
import { freePort } from '../lab/free-port.js';
import { waitUntil } from '../lab/readiness.js';
import { scanKeys, startService, type Service } from '../helpers/service.js';

const body = (account: string, extra: Record<string, unknown> = {}) => ({ account, password: 'Admission-pw-1', checks: ['mx'], ...extra });

function assertProblem(res: Response, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.code, code);
}

/** A private redis-server (no persistence): ACLs, SCRIPT FLUSH and MONITOR touch no one else. */
async function privateRedis(): Promise<{ url: string; port: number; admin: Redis; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const admin = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  admin.on('error', () => undefined);
  await waitUntil('private redis-server', async () => { await admin.connect(); return true; }, { timeoutMs: 10000 });
  return {
    url: `redis://127.0.0.1:${port}`, port, admin,
    async stop() {
      admin.disconnect();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The jobs of the diagnostics queue, whatever their state. */
async function jobIds(s: Service): Promise<string[]> {
  const q = new Queue(DIAGNOSTICS_QUEUE, { connection: s.redis, prefix: s.config.REDIS_PREFIX });
  try {
    return (await q.getJobs(['waiting', 'delayed', 'active', 'prioritized', 'completed', 'failed'])).map((j) => j.id!).sort();
  } finally {
    await q.close();
  }
}

describe('record and job in one script (private Redis)', () => {
  let r: Awaited<ReturnType<typeof privateRedis>>;
  before(async () => { r = await privateRedis(); });
  after(() => r.stop());

  test('a job add Redis refuses (an ACL on the queue keys) refuses the whole admission: 503, no record, no lock, no job', async () => {
    const prefix = `test-acl-${randomBytes(4).toString('hex')}`;
    // Every key family of the store, but not the queue's: a real misconfiguration, refused by Redis itself.
    const allowed = ['diag', 'idx', 'active', 'throttle', 'budget', 'inflight', 'idem', 'ratelimit', 'events', 'cancel', 'metrics'].map((f) => `~${prefix}:${f}:*`);
    await r.admin.call('ACL', 'SETUSER', 'exdiag-api', 'on', '>acl-pw-0123456789', ...allowed, '&*', '+@all');
    const s = await startService({ REDIS_URL: `redis://exdiag-api:acl-pw-0123456789@127.0.0.1:${r.port}`, REDIS_PREFIX: prefix, DNS_SERVERS: '127.0.0.1:9' }, { worker: false });
    try {
      const res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('acl@admission.test'));
      assertProblem(res, 503, 'QUEUE_UNAVAILABLE');
      assert.ok(s.logs.some((l) => l.includes('NOPERM')), 'Redis refused the script before running any of it');
      // Nothing at all was written: no record, no running-lock, no throttle entry, no index, no job.
      assert.deepEqual(await scanKeys(r.admin, `${prefix}:*`), []);
    } finally {
      await s.close().catch(() => undefined);
    }
    // The same mailbox is not locked: with the rights back, it is accepted at once (no 409).
    await r.admin.call('ACL', 'SETUSER', 'exdiag-api', `~${prefix}:*`);
    const t = await startService({ REDIS_URL: `redis://exdiag-api:acl-pw-0123456789@127.0.0.1:${r.port}`, REDIS_PREFIX: prefix, DNS_SERVERS: '127.0.0.1:9' }, { worker: false });
    try {
      const ok = await t.request.post('/v1/diagnostics').set(t.auth).send(body('acl@admission.test'));
      assert.equal(ok.status, 202, JSON.stringify(ok.body));
      assert.deepEqual(await jobIds(t), [ok.body.id]);
    } finally {
      await t.close();
      await r.admin.call('ACL', 'DELUSER', 'exdiag-api');
    }
  });

  test('BullMQ\'s part failing half-way (its queue\'s meta key of the wrong type): the written record is ended, no lock stays', async () => {
    const s = await startService({ REDIS_URL: r.url, DNS_SERVERS: '127.0.0.1:9' }, { worker: false });
    const meta = `${s.config.REDIS_PREFIX}:${DIAGNOSTICS_QUEUE}:meta`;
    try {
      await r.admin.set(meta, 'not a hash');
      const res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('half@admission.test'));
      assertProblem(res, 503, 'QUEUE_UNAVAILABLE');
      assert.ok(s.logs.some((l) => l.includes('WRONGTYPE')), 'the script stopped inside BullMQ\'s part');
      // The create step had written its record: it ended failed, and released the running-lock.
      const ended = (await scanKeys(r.admin, `${storeKeys(s.config.REDIS_PREFIX).diagPrefix}*`)).map((k) => k.slice(-36));
      assert.equal(ended.length, 1);
      const record = JSON.parse((await r.admin.get(storeKeys(s.config.REDIS_PREFIX).diag(ended[0])))!);
      assert.deepEqual([record.status, record.error?.code], ['failed', 'QUEUE_UNAVAILABLE']);
      await r.admin.del(meta);
      const again = await s.request.post('/v1/diagnostics').set(s.auth).send(body('half@admission.test'));
      assert.equal(again.status, 202, 'not locked by the failed one');
      assert.deepEqual(await jobIds(s), [again.body.id]);
    } finally {
      await s.close();
    }
  });

  test('a POST is one round trip: one EVALSHA, the admission script (with an Idempotency-Key and a rate limit too)', async () => {
    const s = await startService({ REDIS_URL: r.url, DNS_SERVERS: '127.0.0.1:9', CLIENT_RATE_LIMIT_MAX: '100' }, { worker: false });
    const conn = r.admin.duplicate();
    const monitor = await conn.monitor();
    try {
      const seen: string[] = [];
      let marker = '';
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        // Commands a script runs are fed too (source "lua"): only what crossed the network counts.
        if (source === 'lua') return;
        if (args[0].toLowerCase() === 'echo') marker = args[1];
        else seen.push(args[0].toLowerCase());
      });
      const commandsOf = async (send: () => Promise<Response>, expected: number) => {
        seen.length = 0;
        const res = await send();
        assert.equal(res.status, expected, JSON.stringify(res.body));
        // Redis feeds MONITOR in execution order: once our echo is seen, the POST's commands are too.
        const m = randomUUID();
        await r.admin.echo(m);
        while (marker !== m) await once(monitor, 'monitor');
        return [...seen];
      };
      // The first use of the script on a connection sends its text (EVAL), later ones its SHA; until
      // BullMQ's connection has been ready once, a PING checks that Redis answers at all.
      const first = await commandsOf(() => s.request.post('/v1/diagnostics').set(s.auth).send(body('warm@admission.test')), 202);
      assert.deepEqual(first.filter((c) => c.startsWith('eval')), ['eval'], first.join(','));
      assert.deepEqual(await commandsOf(() => s.request.post('/v1/diagnostics').set(s.auth).send(body('rt1@admission.test')), 202), ['evalsha']);
      const idem = () => s.request.post('/v1/diagnostics').set(s.auth).set('idempotency-key', 'rt-key').send(body('rt2@admission.test'));
      assert.deepEqual(await commandsOf(idem, 202), ['evalsha']);
      // A replay: the script answers with the previous id, whose record is then read.
      assert.deepEqual(await commandsOf(idem, 202), ['evalsha', 'get']);
      assertProblem(await (async () => {
        let res!: Response;
        assert.deepEqual(await commandsOf(async () => (res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('rt1@admission.test'))), 409), ['evalsha']);
        return res;
      })(), 409, 'DIAGNOSTIC_RUNNING');
    } finally {
      monitor.disconnect();
      conn.disconnect();
      await s.close();
    }
  });

  test('after SCRIPT FLUSH the script text is sent again: the next POST is admitted once, record and job', async () => {
    const s = await startService({ REDIS_URL: r.url, DNS_SERVERS: '127.0.0.1:9', THROTTLE_MAX: '0' }, { worker: false });
    try {
      const first = await s.request.post('/v1/diagnostics').set(s.auth).send(body('flush1@admission.test'));
      assert.equal(first.status, 202);
      await r.admin.script('FLUSH');
      const again = await s.request.post('/v1/diagnostics').set(s.auth).send(body('flush2@admission.test'));
      assert.equal(again.status, 202, JSON.stringify(again.body));
      const k = storeKeys(s.config.REDIS_PREFIX);
      assert.deepEqual((await scanKeys(r.admin, `${k.diagPrefix}*`)).sort(), [k.diag(first.body.id), k.diag(again.body.id)].sort());
      assert.deepEqual(await jobIds(s), [first.body.id, again.body.id].sort());
    } finally {
      await s.close();
    }
  });
});

describe('refused POSTs leave no job; the worker drops a job without a record', () => {
  let s: Service;
  before(async () => {
    s = await startService({ DNS_SERVERS: '127.0.0.1:9', THROTTLE_MAX: '2', THROTTLE_WINDOW_SECONDS: '600', CLIENT_MAX_ACTIVE: '3' }, { worker: false });
  });
  after(() => s.close());

  test('409, replay, mismatch, THROTTLED and TOO_MANY_ACTIVE: only accepted diagnostics have a job', async () => {
    const post = (account: string, idem?: string, extra: Record<string, unknown> = {}) => {
      const q = s.request.post('/v1/diagnostics').set(s.auth);
      if (idem) q.set('idempotency-key', idem);
      return q.send(body(account, extra));
    };
    const a = await post('one@admission.test', 'k1');
    assert.equal(a.status, 202);
    assertProblem(await post('one@admission.test'), 409, 'DIAGNOSTIC_RUNNING');
    assert.equal((await post('one@admission.test', 'k1')).body.id, a.body.id, 'replayed');
    assertProblem(await post('one@admission.test', 'k1', { locale: 'fr' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal((await s.request.delete(a.headers.location).set(s.auth)).status, 200);
    const b = await post('one@admission.test');
    assert.equal(b.status, 202);
    assert.equal((await s.request.delete(b.headers.location).set(s.auth)).status, 200);
    assertProblem(await post('one@admission.test'), 429, 'THROTTLED');
    const c = await post('two@admission.test');
    const d = await post('three@admission.test');
    const e = await post('four@admission.test');
    assertProblem(await post('five@admission.test'), 429, 'TOO_MANY_ACTIVE');
    assert.deepEqual(await jobIds(s), [c.body.id, d.body.id, e.body.id].sort());
    // No job was ever added for a refused one: BullMQ's event stream lists only the accepted (and cancelled) ones.
    const added = (await s.redis.xrange(`${s.config.REDIS_PREFIX}:${DIAGNOSTICS_QUEUE}:events`, '-', '+'))
      .map(([, f]) => Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1]]]))) as Record<string, string>)
      .filter((e) => e.event === 'added').map((e) => e.jobId);
    assert.deepEqual(added.sort(), [a.body.id, b.body.id, c.body.id, d.body.id, e.body.id].sort());
    // And no sealed password anywhere but in those three jobs.
    const sealedIn = (await scanKeys(s.redis, `${s.config.REDIS_PREFIX}:${DIAGNOSTICS_QUEUE}:*`)).filter((k) => /:[0-9a-f-]{36}$/.test(k));
    assert.deepEqual(sealedIn.map((k) => k.slice(-36)).sort(), [c.body.id, d.body.id, e.body.id].sort());
  });

  test('a job whose record does not exist, or has ended, is dropped without running', async () => {
    const { startDiagnosticWorker } = await import('../../src/worker/create-worker.js');
    const { createLogger } = await import('../../src/logging.js');
    const logs: string[] = [];
    const worker = await startDiagnosticWorker({ config: s.config, logger: createLogger(s.config, { write: (l: string) => { logs.push(l); } }) });
    const q = new Queue(DIAGNOSTICS_QUEUE, { connection: s.redis, prefix: s.config.REDIS_PREFIX });
    try {
      // Let the worker finish what the previous test queued, so that one record has ended.
      const ended = (await jobIds(s))[0];
      await s.waitFor(ended, ['completed', 'failed']);
      const k = storeKeys(s.config.REDIS_PREFIX);
      const endedRecord = await s.redis.get(k.diag(ended));
      const orphan = randomUUID();
      const keys = sealKeyring(s.config.sealKey!);
      for (const id of [orphan, ended]) {
        const done = new Promise<void>((resolve) => {
          const onDone = (job: { id?: string }) => { if (job.id === id) { worker.worker.off('completed', onDone); resolve(); } };
          worker.worker.on('completed', onDone);
        });
        await q.add(DIAGNOSTIC_JOB, { diagnosticId: id, sealed: seal(keys, 'Orphan-pw-1', id) }, { jobId: id, removeOnComplete: true });
        await done;
        assert.equal(await q.getJob(id), undefined, 'the job and its sealed password are gone');
      }
      assert.equal(await s.redis.exists(k.diag(orphan), k.events(orphan)), 0, 'nothing was run for the orphan');
      assert.equal(await s.redis.get(k.diag(ended)), endedRecord, 'the ended record is untouched');
      assert.ok(logs.some((l) => l.includes(orphan) && l.includes('no record for this job')));
      assert.ok(logs.some((l) => l.includes(ended) && l.includes('record already ended')));
    } finally {
      await q.close();
      await worker.close(0);
    }
  });
});

test('an Idempotency-Key still replays across a SEAL_KEY rotation (fingerprint under the previous key), and still refuses another body', async () => {
  const before = await startService({ DNS_SERVERS: '127.0.0.1:9' }, { worker: false });
  const post = (s: Service, b: object) => s.request.post('/v1/diagnostics').set(before.auth).set('idempotency-key', 'rotation-1').send(b);
  try {
    const first = await post(before, body('rotation@admission.test'));
    assert.equal(first.status, 202);
    const after = await startService({
      DNS_SERVERS: '127.0.0.1:9', REDIS_PREFIX: before.config.REDIS_PREFIX, API_KEYS: before.env.API_KEYS,
      SEAL_KEY: randomBytes(32).toString('base64'), SEAL_KEY_PREVIOUS: before.env.SEAL_KEY,
    }, { worker: false });
    try {
      const replay = await post(after, body('rotation@admission.test'));
      assert.equal(replay.status, 202, JSON.stringify(replay.body));
      assert.equal(replay.body.id, first.body.id, 'replayed, not a second diagnostic');
      assertProblem(await post(after, body('rotation@admission.test', { locale: 'fr' })), 422, 'IDEMPOTENCY_KEY_REUSED');
      assert.deepEqual(await jobIds(after), [first.body.id]);
    } finally {
      await after.close();
    }
  } finally {
    await before.close();
  }
});

describe('the request rate, counted in the same round trip', () => {
  let s: Service;
  before(async () => {
    s = await startService({ DNS_SERVERS: '127.0.0.1:9', CLIENT_RATE_LIMIT_MAX: '3', CLIENT_RATE_LIMIT_WINDOW_SECONDS: '60', THROTTLE_MAX: '0' }, { worker: false });
  });
  after(() => s.close());

  test('every authenticated POST counts, invalid ones too; past the limit 429 RATE_LIMITED, and no job is written', async () => {
    const bad = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'not-an-address', password: 'x' });
    assertProblem(bad, 400, 'VALIDATION_FAILED');
    assert.equal(bad.headers['x-ratelimit-remaining'], '2');
    const ok = await s.request.post('/v1/diagnostics').set(s.auth).send(body('rate1@admission.test'));
    assert.equal(ok.status, 202);
    assert.deepEqual([ok.headers['x-ratelimit-limit'], ok.headers['x-ratelimit-remaining']], ['3', '1']);
    assert.ok(Number(ok.headers['x-ratelimit-reset']) > 0 && Number(ok.headers['x-ratelimit-reset']) <= 60);
    // The access log line of the POST names the diagnostic it created.
    assert.ok(s.logs.some((l) => l.includes('"request completed"') && l.includes(`"diagnosticId":"${ok.body.id}"`)), 'access log names the diagnostic');
    assertProblem(await s.request.post('/v1/diagnostics').set(s.auth).send(body('rate1@admission.test')), 409, 'DIAGNOSTIC_RUNNING');
    // The fourth POST of the window: refused, whether it reaches the create step or not.
    for (const b of [body('rate2@admission.test'), { account: 'still-not-an-address' }, body('rate3@admission.test')]) {
      const limited = await s.request.post('/v1/diagnostics').set(s.auth).send(b);
      assertProblem(limited, 429, 'RATE_LIMITED');
      const retry = Number(limited.headers['retry-after']);
      assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
      assert.equal(limited.headers['x-ratelimit-remaining'], '0');
    }
    assert.equal(Number(await s.redis.get(storeKeys(s.config.REDIS_PREFIX).rateLimit('alpha'))), 6, 'six POSTs counted');
    assert.deepEqual(await jobIds(s), [ok.body.id], 'the refused ones left no job');
    // Another client has its own count; without a valid key nothing is counted (401).
    assert.equal((await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body('rate2@admission.test'))).status, 202);
    assertProblem(await s.request.post('/v1/diagnostics').send(body('x@admission.test')), 401, 'UNAUTHORIZED');
  });

  test('Redis down: a POST is refused (503), never let through unlimited', async () => {
    const { buildApp } = await import('../../src/app.js');
    const { loadConfig } = await import('../../src/config/index.js');
    const { createLogger } = await import('../../src/logging.js');
    const supertest = (await import('supertest')).default;
    const app = await buildApp({ config: loadConfig({ ...s.env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` }), logger: createLogger({ LOG_LEVEL: 'silent' }) });
    await app.ready();
    try {
      for (const b of [body('down@admission.test'), { account: 'invalid' }]) {
        const res = await supertest(app.server).post('/v1/diagnostics').set(s.auth).send(b);
        assertProblem(res as Response, 503, 'QUEUE_UNAVAILABLE');
      }
    } finally {
      await app.close();
    }
  });
});
