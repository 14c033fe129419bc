// The HTTP surface against real Redis: auth, isolation between clients, validation problems,
// idempotency, the running-lock, the throttle, listing and cancellation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startService, startSilentDns, type Service } from '../helpers/service.js';

const body = (account: string, extra: Record<string, unknown> = {}) => ({ account, password: 'Not-the-real-pw-1', checks: ['mx'], ...extra });

function assertProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'], /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(res.body.code, code);
  for (const f of ['type', 'title', 'detail', 'instance']) assert.equal(typeof res.body[f], 'string', `problem.${f}`);
}

describe('without a worker (diagnostics stay queued)', () => {
  let s: Service;
  before(async () => { s = await startService({ THROTTLE_MAX: '3', THROTTLE_WINDOW_SECONDS: '600' }, { worker: false }); });
  after(() => s.close());

  test('401 without or with an unknown API key, as problem+json', async () => {
    assertProblem(await s.request.get('/v1/diagnostics'), 401, 'UNAUTHORIZED');
    const wrong = await s.request.get('/v1/diagnostics').set('authorization', 'Bearer not-a-key-of-anyone-0000');
    assertProblem(wrong, 401, 'UNAUTHORIZED');
    assert.match(wrong.headers['www-authenticate'], /^Bearer/);
    assertProblem(await s.request.post('/v1/diagnostics').set('authorization', 'Basic abc').send(body('a@x.test')), 401, 'UNAUTHORIZED');
  });

  test('POST answers 202 with Location and the queued record, without the password', async () => {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).set('accept-language', 'fr-CA,fr;q=0.9')
      .send(body('loc@x.test', { metadata: { ticket: 'T-1', nested: { a: [1, 2] } }, checks: ['srv', 'mx'] }));
    assert.equal(res.status, 202);
    assert.equal(res.headers.location, `/v1/diagnostics/${res.body.id}`);
    assert.equal(res.body.status, 'queued');
    assert.equal(res.body.locale, 'fr');
    assert.deepEqual(res.body.checks, ['mx', 'srv'], 'checks in registry order');
    assert.deepEqual(res.body.metadata, { ticket: 'T-1', nested: { a: [1, 2] } });
    assert.deepEqual(res.body.progress, { total: 2, completed: 0, running: [] });
    assert.equal(res.body.password, undefined);
    assert.equal(res.body.clientId, undefined);
    const got = await s.request.get(res.headers.location).set(s.auth);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, res.body);
  });

  test('another client gets 404 for a diagnostic it does not own, on read and cancel', async () => {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('owned@x.test'));
    assert.equal(res.status, 202);
    assertProblem(await s.request.get(`/v1/diagnostics/${res.body.id}`).set(s.otherAuth), 404, 'DIAGNOSTIC_NOT_FOUND');
    assertProblem(await s.request.delete(`/v1/diagnostics/${res.body.id}`).set(s.otherAuth), 404, 'DIAGNOSTIC_NOT_FOUND');
    const list = await s.request.get('/v1/diagnostics').set(s.otherAuth);
    assert.equal(list.status, 200);
    assert.ok(!list.body.items.some((d: { id: string }) => d.id === res.body.id));
    // Still there for its owner: the other client's DELETE did nothing.
    assert.equal((await s.request.get(`/v1/diagnostics/${res.body.id}`).set(s.auth)).body.status, 'queued');
  });

  test('malformed input is a 4xx problem with a code and the failing fields, never a 500', async () => {
    const post = () => s.request.post('/v1/diagnostics').set(s.auth);
    const cases: Array<[string, () => Promise<import('supertest').Response>, number, string, string?]> = [
      ['bad email', () => post().send(body('not-an-email')), 400, 'VALIDATION_FAILED', 'body.account'],
      ['extra field', () => post().send(body('a@x.test', { admin: true })), 400, 'VALIDATION_FAILED', 'body.admin'],
      ['missing password', () => post().send({ account: 'a@x.test' }), 400, 'VALIDATION_FAILED', 'body.password'],
      ['password too long', () => post().send(body('a@x.test', { password: 'x'.repeat(257) })), 400, 'VALIDATION_FAILED', 'body.password'],
      ['password not a string', () => post().send(body('a@x.test', { password: 12345678 })), 400, 'VALIDATION_FAILED', 'body.password'],
      ['unknown check', () => post().send(body('a@x.test', { checks: ['mx', 'telepathy'] })), 400, 'VALIDATION_FAILED', 'body.checks.1'],
      ['duplicate checks', () => post().send(body('a@x.test', { checks: ['mx', 'mx'] })), 400, 'VALIDATION_FAILED', 'body.checks'],
      ['bad locale', () => post().send(body('a@x.test', { locale: 'de' })), 400, 'VALIDATION_FAILED', 'body.locale'],
      ['huge metadata', () => post().send(body('a@x.test', { metadata: { blob: 'x'.repeat(5000) } })), 400, 'VALIDATION_FAILED', 'body.metadata'],
      ['metadata not an object', () => post().send(body('a@x.test', { metadata: 'ticket' })), 400, 'VALIDATION_FAILED', 'body.metadata'],
      ['bad server name', () => post().send(body('a@x.test', { server: 'not a host!' })), 400, 'VALIDATION_FAILED', 'body.server'],
      ['non-JSON body', () => post().set('content-type', 'application/json').send('{"account": '), 400, 'INVALID_JSON'],
      ['JSON array body', () => post().send([1, 2]), 400, 'VALIDATION_FAILED', 'body'],
      ['empty JSON body', () => post().set('content-type', 'application/json').send(''), 400, 'INVALID_JSON'],
      ['proto poisoning', () => post().set('content-type', 'application/json').send('{"account":"a@x.test","password":"p","__proto__":{"x":1}}'), 400, 'INVALID_JSON'],
      ['wrong content-type', () => post().set('content-type', 'text/plain').send('account=a@x.test'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['form body', () => post().type('form').send({ account: 'a@x.test', password: 'p' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['unknown platform', () => post().send(body('a@x.test', { platform: 'mars-eu' })), 422, 'UNKNOWN_PLATFORM', 'body.platform'],
      ['internal webhook', () => post().send(body('a@x.test', { webhookUrl: 'https://127.0.0.1/hook' })), 422, 'WEBHOOK_URL_FORBIDDEN', 'body.webhookUrl'],
      ['bad id', () => s.request.get('/v1/diagnostics/not-a-uuid').set(s.auth), 400, 'VALIDATION_FAILED', 'params.id'],
      ['bad limit', () => s.request.get('/v1/diagnostics?limit=0').set(s.auth), 400, 'VALIDATION_FAILED', 'querystring.limit'],
      ['unknown query parameter', () => s.request.get('/v1/diagnostics?sort=asc').set(s.auth), 400, 'VALIDATION_FAILED', 'querystring.sort'],
      ['forged cursor', () => s.request.get('/v1/diagnostics?cursor=Zm9vYmFy').set(s.auth), 400, 'INVALID_CURSOR', 'querystring.cursor'],
      ['unknown route', () => s.request.get('/v1/nothing-here').set(s.auth), 404, 'NOT_FOUND'],
      ['unknown id', () => s.request.get('/v1/diagnostics/00000000-0000-4000-8000-000000000000').set(s.auth), 404, 'DIAGNOSTIC_NOT_FOUND'],
    ];
    for (const [name, send, status, code, field] of cases) {
      const res = await send();
      assert.ok(res.status < 500, `${name}: ${res.status}`);
      assertProblem(res, status, code);
      if (field) assert.ok((res.body.errors as Array<{ field: string }>).some((e) => e.field === field), `${name}: errors ${JSON.stringify(res.body.errors)}`);
    }
    const list = await s.request.get('/v1/diagnostics').set(s.auth);
    assert.ok(!list.body.items.some((d: { account: string }) => d.account === 'a@x.test'), 'no invalid request created a diagnostic');
  });

  test('Idempotency-Key: same key and body → same diagnostic; same key, other body → 422', async () => {
    const key = `idem-${Date.now()}`;
    const b = body('idem@x.test', { metadata: { t: 1 } });
    const first = await s.request.post('/v1/diagnostics').set(s.auth).set('idempotency-key', key).send(b);
    const again = await s.request.post('/v1/diagnostics').set(s.auth).set('idempotency-key', key).send({ metadata: { t: 1 }, checks: ['mx'], password: b.password, account: b.account });
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.headers.location, first.headers.location);
    const other = await s.request.post('/v1/diagnostics').set(s.auth).set('idempotency-key', key).send({ ...b, password: 'another-password' });
    assertProblem(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    // Keys are per client: the other client's same key is a new request (and a different account lock).
    const theirs = await s.request.post('/v1/diagnostics').set(s.otherAuth).set('idempotency-key', key).send(b);
    assert.equal(theirs.status, 202);
    assert.notEqual(theirs.body.id, first.body.id);
  });

  test('409 with the running one\'s id while a diagnostic of the account is queued; cancel frees it', async () => {
    const first = await s.request.post('/v1/diagnostics').set(s.auth).send(body('busy@x.test'));
    assert.equal(first.status, 202);
    const second = await s.request.post('/v1/diagnostics').set(s.auth).send(body('BUSY@x.test'));
    assertProblem(second, 409, 'DIAGNOSTIC_RUNNING');
    assert.equal(second.body.diagnosticId, first.body.id);
    // Another client's diagnostic of the same account is not revealed by a 409.
    const theirs = await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body('busy@x.test'));
    assert.equal(theirs.status, 202);
    const del = await s.request.delete(first.headers.location).set(s.auth);
    assert.equal(del.status, 200);
    assert.equal(del.body.status, 'cancelled');
    assert.equal((await s.request.post('/v1/diagnostics').set(s.auth).send(body('busy@x.test'))).status, 202);
  });

  test('cancel of a queued diagnostic removes its job and ends it; a second cancel is 409', async () => {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('cancel-q@x.test'));
    const { Queue } = await import('bullmq');
    const q = new Queue('diagnostics', { connection: s.redis, prefix: s.config.REDIS_PREFIX });
    try {
      assert.ok(await q.getJob(res.body.id), 'job queued');
      const del = await s.request.delete(res.headers.location).set(s.auth);
      assert.equal(del.status, 200);
      assert.equal(del.body.status, 'cancelled');
      assert.ok(del.body.finishedAt);
      assert.equal(await q.getJob(res.body.id), undefined, 'job removed from the queue');
      assert.equal((await s.request.get(res.headers.location).set(s.auth)).body.status, 'cancelled');
      assertProblem(await s.request.delete(res.headers.location).set(s.auth), 409, 'DIAGNOSTIC_FINISHED');
      const ev = await s.redis.xrange(`${s.config.REDIS_PREFIX}:events:${res.body.id}`, '-', '+');
      assert.deepEqual(ev.map(([, f]) => f[1]), ['diagnostic.finished']);
      assert.ok((await s.redis.ttl(`${s.config.REDIS_PREFIX}:diag:${res.body.id}`)) > 0, 'finished record expires');
    } finally {
      await q.close();
    }
  });

  test('429 with Retry-After once this client had THROTTLE_MAX diagnostics of an account in the window', async () => {
    const account = 'throttled@x.test';
    for (let i = 0; i < 3; i++) {
      const r = await s.request.post('/v1/diagnostics').set(s.auth).send(body(account));
      assert.equal(r.status, 202, `attempt ${i}`);
      await s.request.delete(r.headers.location).set(s.auth);
    }
    const r = await s.request.post('/v1/diagnostics').set(s.auth).send(body(account));
    assertProblem(r, 429, 'THROTTLED');
    const retry = Number(r.headers['retry-after']);
    assert.ok(retry > 0 && retry <= 600, `Retry-After ${r.headers['retry-after']}`);
    assert.equal((await s.request.post('/v1/diagnostics').set(s.auth).send(body('other-account@x.test'))).status, 202);
    // Another client is not told of this one's diagnostics (the lockout budget across clients
    // delays its run instead: client-policy.test.ts).
    assert.equal((await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body(account))).status, 202);
  });

  test('list: the client\'s history, newest first, paginated with an opaque cursor, filtered by account', async () => {
    const s2 = await startService({}, { worker: false });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await s2.request.post('/v1/diagnostics').set(s2.auth).send(body(`user${i % 2}@list.test`));
        assert.equal(r.status, 202);
        ids.push(r.body.id);
        await s2.request.delete(r.headers.location).set(s2.auth);
      }
      await s2.request.post('/v1/diagnostics').set(s2.otherAuth).send(body('user0@list.test'));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await s2.request.get('/v1/diagnostics').query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(s2.auth);
        assert.equal(res.status, 200);
        assert.ok(res.body.items.length <= 2);
        seen.push(...res.body.items.map((d: { id: string }) => d.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...ids].reverse(), 'every diagnostic once, newest first');
      const filtered = await s2.request.get('/v1/diagnostics').query({ account: 'user0@list.test' }).set(s2.auth);
      assert.deepEqual(filtered.body.items.map((d: { id: string }) => d.id), [ids[4], ids[2], ids[0]]);
      assert.equal(filtered.body.nextCursor, undefined);
      const theirs = await s2.request.get('/v1/diagnostics').set(s2.otherAuth);
      assert.equal(theirs.body.items.length, 1);
    } finally {
      await s2.close();
    }
  });
});

describe('with a worker', () => {
  let s: Service;
  let dns: Awaited<ReturnType<typeof startSilentDns>>;
  before(async () => {
    dns = await startSilentDns();
    s = await startService({ DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: '1000', CHECK_TIMEOUT_MS: '10000' });
  });
  after(async () => { await s.close(); await dns.close(); });

  test('cancel of a running diagnostic reaches its worker; the record ends cancelled', async () => {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('cancel-r@x.test', { checks: ['mx', 'srv'] }));
    const running = await s.waitFor(res.body.id, 'running', 10000);
    assert.equal(running.status, 'running');
    const del = await s.request.delete(res.headers.location).set(s.auth);
    assert.equal(del.status, 202);
    const done = await s.waitFor(res.body.id, ['cancelled', 'completed', 'failed'], 15000);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.finishedAt);
    assert.ok(dns.queries() > 0, 'the run really was waiting on DNS');
    const got = await s.request.get(res.headers.location).set(s.auth);
    assert.equal(got.body.status, 'cancelled');
    // Cancelled ends the running-lock: a new diagnostic of the account is accepted.
    assert.equal((await s.request.post('/v1/diagnostics').set(s.auth).send(body('cancel-r@x.test'))).status, 202);
  });

  test('operators: /livez, /readyz, /metrics (this process), /metrics/cluster (queue depth)', async () => {
    assert.deepEqual((await s.request.get('/livez')).body, { status: 'ok' });
    assert.deepEqual((await s.request.get('/readyz')).body, { status: 'ok' });
    const m = await s.request.get('/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /exdiag_http_requests_total\{method="GET",route="\/readyz",status="200"\} 1/);
    // Outcome counters and replicas: test/integration/metrics.test.ts.
    assert.match((await s.request.get('/metrics/cluster')).text, /exdiag_queue_jobs\{state="waiting"\} \d+/);
  });
});

test('/readyz answers 503 problem when Redis does not answer', async () => {
  const s = await startService({}, { worker: false });
  try {
    // Point a second app at a port where nothing listens: same code, Redis down.
    const { buildApp } = await import('../../src/app.js');
    const { loadConfig } = await import('../../src/config/index.js');
    const { createLogger } = await import('../../src/logging.js');
    const config = loadConfig({ ...s.env, REDIS_URL: 'redis://127.0.0.1:1' });
    const app = await buildApp({ config, logger: createLogger({ LOG_LEVEL: 'silent' }) });
    await app.ready();
    try {
      const res = await (await import('supertest')).default(app.server).get('/readyz');
      assertProblem(res as never, 503, 'REDIS_UNAVAILABLE');
      assert.equal((await (await import('supertest')).default(app.server).get('/livez')).status, 200);
    } finally {
      await app.close();
    }
  } finally {
    await s.close();
  }
});
