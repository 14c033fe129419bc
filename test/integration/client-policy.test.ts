// Per-client policy and limits through the real app on real Redis: 403 for platforms, servers and
// mailbox domains a client may not use; 429 for its request rate and its active diagnostics; the
// account throttle that never tells one client about another's diagnostics; /metrics behind a token.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import type { Response } from 'supertest';
import { sha256 } from '../../src/config/index.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { DIAGNOSTICS_QUEUE } from '../../src/queue/names.js';
import { storeKeys } from '../../src/store/keys.js';
import { startService, type Service } from '../helpers/service.js';

const dir = mkdtempSync(join(tmpdir(), 'exdiag-client-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function clientsFile(entries: unknown[]): string {
  const file = join(dir, `clients-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

const body = (account: string, extra: Record<string, unknown> = {}) => ({ account, password: 'Not-the-real-pw-1', checks: ['mx'], ...extra });

function assertProblem(res: Response, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.body.code, code);
}

function retryAfter(res: Response, max: number): number {
  const n = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(n) && n >= 1 && n <= max, `Retry-After ${res.headers['retry-after']}`);
  return n;
}

// Without a PLATFORMS_FILE the profiles are the built-in ones (DEFAULT_PLATFORM hosted-eu), lab or not.
const builtIn = { PLATFORMS_FILE: '', DEFAULT_PLATFORM: 'hosted-eu', DNS_SERVERS: '127.0.0.1:9' };

describe('policy: platforms, server and mailbox domains', () => {
  let s: Service;
  before(async () => {
    s = await startService({
      ...builtIn,
      CLIENTS_FILE: clientsFile([{ id: 'alpha', platforms: ['hosted-ca', 'hosted-eu'], accountDomains: ['example.com', '*.example.net'] }]),
    }, { worker: false });
  });
  after(() => s.close());

  test('each rule answers 403 with its code and the field; nothing is stored or queued', async () => {
    const post = (b: object) => s.request.post('/v1/diagnostics').set(s.auth).send(b);
    assertProblem(await post(body('u@example.com', { platform: 'private-eu' })), 403, 'PLATFORM_NOT_ALLOWED');
    const server = await post(body('u@example.com', { server: 'attacker.example' }));
    assertProblem(server, 403, 'SERVER_NOT_ALLOWED');
    assert.deepEqual(server.body.errors, [{ field: 'body.server', message: 'is not allowed for this client' }]);
    assertProblem(await post(body('u@example.com', { server: '127.0.0.3' })), 403, 'SERVER_NOT_ALLOWED');
    assertProblem(await post(body('u@example.com', { server: 'mail.ovh.net.attacker.example' })), 403, 'SERVER_NOT_ALLOWED');
    assertProblem(await post(body('u@example.com', { platform: 'hosted-ca', server: 'ex3.mail.ovh.net' })), 403, 'SERVER_NOT_ALLOWED');
    assertProblem(await post(body('u@other.test')), 403, 'ACCOUNT_DOMAIN_NOT_ALLOWED');
    assertProblem(await post(body('u@example.net')), 403, 'ACCOUNT_DOMAIN_NOT_ALLOWED');
    assert.equal((await s.request.get('/v1/diagnostics').set(s.auth)).body.items.length, 0, 'no record');
    const q = new Queue(DIAGNOSTICS_QUEUE, { connection: s.redis, prefix: s.config.REDIS_PREFIX });
    try {
      assert.equal(await q.count(), 0, 'no job');
    } finally {
      await q.close();
    }
  });

  test('what the policy allows is accepted: a server of the platform, an allowed domain', async () => {
    const ok = await s.request.post('/v1/diagnostics').set(s.auth).send(body('u@sub.example.net', { server: 'EX3.mail.ovh.net' }));
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
    assert.equal(ok.body.platform, 'hosted-eu');
    assert.equal(ok.body.server, 'ex3.mail.ovh.net');
    const ca = await s.request.post('/v1/diagnostics').set(s.auth).send(body('v@example.com', { platform: 'hosted-ca', server: 'ex2.mail.ovh.ca' }));
    assert.equal(ca.status, 202, JSON.stringify(ca.body));
  });

  test('a client without a CLIENTS_FILE entry gets the safe default: server only on its platform', async () => {
    assertProblem(await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body('u@anything.test', { server: 'attacker.example' })), 403, 'SERVER_NOT_ALLOWED');
    const ok = await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body('u@anything.test', { platform: 'private-eu', server: 'ex9.mail.ovh.net' }));
    assert.equal(ok.status, 202, JSON.stringify(ok.body));
  });
});

describe('limits: request rate and active diagnostics', () => {
  let s: Service;
  before(async () => {
    s = await startService({
      ...builtIn,
      CLIENTS_FILE: clientsFile([{ id: 'alpha', rateLimit: { max: 4, windowSeconds: 60 }, maxActive: 2 }]),
    }, { worker: false });
  });
  after(() => s.close());

  test('maxActive: a third queued diagnostic is 429 TOO_MANY_ACTIVE; an ended one frees its slot', async () => {
    const post = (account: string) => s.request.post('/v1/diagnostics').set(s.auth).send(body(account));
    const first = await post('one@example.com');
    assert.equal(first.status, 202);
    assert.equal((await post('two@example.com')).status, 202);
    const busy = await post('three@example.com');
    assertProblem(busy, 429, 'TOO_MANY_ACTIVE');
    retryAfter(busy, 60);
    assert.equal((await s.request.delete(first.headers.location).set(s.auth)).status, 200);
    assert.equal((await post('three@example.com')).status, 202, 'the cancelled one no longer counts');

    // The other client has its own count (default CLIENT_MAX_ACTIVE).
    assert.equal((await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body('one@example.com'))).status, 202);
  });

  test('rateLimit: the 5th POST in the window is 429 RATE_LIMITED, counted in Redis under the prefix', async () => {
    // Four POSTs so far in this describe (alpha): the next one exceeds max 4, refused or not.
    const limited = await s.request.post('/v1/diagnostics').set(s.auth).send(body('four@example.com'));
    assertProblem(limited, 429, 'RATE_LIMITED');
    retryAfter(limited, 60);
    assert.equal(limited.headers['x-ratelimit-limit'], '4');
    const keys = await s.redis.keys(`${s.config.REDIS_PREFIX}:ratelimit:*`);
    assert.ok(keys.some((k) => k.endsWith('-alpha')), keys.join(', '));
    // Another client is not held back.
    assert.equal((await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body('two@example.com'))).status, 202);
    // Without a valid key there is no client to count: 401, as before.
    assertProblem(await s.request.post('/v1/diagnostics').send(body('x@example.com')), 401, 'UNAUTHORIZED');
  });
});

describe('the account throttle tells a client only about its own diagnostics', () => {
  let s: Service;
  const gammaKey = `gamma-${randomBytes(16).toString('hex')}`;
  let q: Queue;
  before(async () => {
    s = await startService({
      ...builtIn, THROTTLE_MAX: '2', THROTTLE_WINDOW_SECONDS: '600',
      CLIENTS_FILE: clientsFile([{ id: 'gamma', apiKeySha256: [sha256(gammaKey)] }]),
    }, { worker: false });
    q = new Queue(DIAGNOSTICS_QUEUE, { connection: s.redis, prefix: s.config.REDIS_PREFIX });
  });
  after(async () => { await q.close(); await s.close(); });

  /** POSTs then cancels (a queued diagnostic holds the client's running-lock for the account). */
  async function diagnose(auth: Record<string, string>, account: string): Promise<Response> {
    const r = await s.request.post('/v1/diagnostics').set(auth).send(body(account));
    if (r.status === 202) {
      // The planned start is internal to the record (the worker delays the job until then).
      const stored = JSON.parse((await s.redis.get(storeKeys(s.config.REDIS_PREFIX).diag(r.body.id)))!) as DiagnosticRecord;
      assert.ok(!('notBefore' in r.body), 'the planned start is never shown');
      (r as Response & { delay?: number; state?: string }).delay = stored.notBefore ? stored.notBefore - Date.parse(stored.createdAt) : 0;
      const job = await q.getJob(r.body.id);
      (r as Response & { state?: string }).state = job ? await job.getState() : 'missing';
      assert.equal((await s.request.delete(r.headers.location).set(auth)).status, 200);
    }
    return r;
  }
  const delayOf = (r: Response) => (r as Response & { delay: number }).delay;

  test('past the budget: own diagnostics are 429; another client\'s are accepted and start later', async () => {
    const account = 'shared@example.com';
    const a1 = await diagnose(s.auth, account);
    const a2 = await diagnose(s.auth, account);
    assert.deepEqual([a1.status, a2.status, delayOf(a1), delayOf(a2)], [202, 202, 0, 0]);
    const a3 = await diagnose(s.auth, account);
    assertProblem(a3, 429, 'THROTTLED');
    retryAfter(a3, 600);

    // beta never diagnosed this mailbox: it gets no 429 (that would reveal alpha's activity), its
    // diagnostic waits queued until the account's window has room (lockout safety across clients).
    const b1 = await diagnose(s.otherAuth, account);
    assert.equal(b1.status, 202, JSON.stringify(b1.body));
    assert.equal(b1.body.status, 'queued');
    assert.equal((b1 as Response & { state: string }).state, 'waiting', 'queued with its record; a worker delays it');
    assert.ok(delayOf(b1) > 590_000 && delayOf(b1) <= 600_000, `delay ${delayOf(b1)}`);
    const b2 = await diagnose(s.otherAuth, account);
    assert.equal(b2.status, 202);
    // beta's own budget is spent: now the 429 is about beta's own diagnostics.
    assertProblem(await diagnose(s.otherAuth, account), 429, 'THROTTLED');

    // Documented limit: when other clients keep the account's budget full more than one window
    // ahead, lockout safety wins and a third client is told THROTTLED as well.
    const gamma = await diagnose({ authorization: `Bearer ${gammaKey}` }, account);
    assertProblem(gamma, 429, 'THROTTLED');
    retryAfter(gamma, 600);

    // Another mailbox is untouched by all of this.
    assert.equal(delayOf(await diagnose(s.otherAuth, 'alone@example.com')), 0);
  });
});

describe('a delayed diagnostic runs once the account\'s window has room', () => {
  let s: Service;
  before(async () => {
    s = await startService({ ...builtIn, THROTTLE_MAX: '5', THROTTLE_ACCOUNT_MAX: '1', THROTTLE_WINDOW_SECONDS: '2' });
  });
  after(() => s.close());

  test('the second start, from another client, is at least one window after the first', async () => {
    const account = 'twice@example.com';
    const first = await s.request.post('/v1/diagnostics').set(s.auth).send(body(account));
    const second = await s.request.post('/v1/diagnostics').set(s.otherAuth).send(body(account));
    assert.deepEqual([first.status, second.status], [202, 202]);
    const a = await s.waitFor(first.body.id, ['completed', 'failed']);
    const b = await s.waitFor(second.body.id, ['completed', 'failed'], 30000);
    const gap = Date.parse(b.startedAt!) - Date.parse(a.createdAt);
    assert.ok(gap >= 1900, `second started ${gap} ms after the first was created`);
    // The worker took the early job and put it back, delayed to its planned start.
    assert.ok(s.logs.some((l) => l.includes(second.body.id) && l.includes('job delayed')), 'the early job was delayed by the worker');
    assert.ok(b.notBefore! <= Date.parse(b.startedAt!), 'not started before its planned start');
  });
});

describe('/metrics', () => {
  test('open without METRICS_TOKEN; with it, 401 problem+json unless the bearer token matches', async () => {
    const open = await startService({ ...builtIn }, { worker: false });
    try {
      assert.equal((await open.request.get('/metrics')).status, 200);
    } finally {
      await open.close();
    }
    const token = `metrics-${randomBytes(12).toString('hex')}`;
    const s = await startService({ ...builtIn, METRICS_TOKEN: token }, { worker: false });
    try {
      const none = await s.request.get('/metrics');
      assertProblem(none, 401, 'UNAUTHORIZED');
      assert.match(String(none.headers['www-authenticate']), /^Bearer/);
      assertProblem(await s.request.get('/metrics').set('authorization', `Bearer ${token}x`), 401, 'UNAUTHORIZED');
      assertProblem(await s.request.get('/metrics').set(s.auth), 401, 'UNAUTHORIZED');
      const ok = await s.request.get('/metrics').set('authorization', `Bearer ${token}`);
      assert.equal(ok.status, 200);
      assert.match(ok.text, /exdiag_http_requests_total/);
    } finally {
      await s.close();
    }
  });
});
