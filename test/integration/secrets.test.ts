// The password never appears in clear: not in logs, not in any Redis value under the prefix
// (strings, hashes, lists, sets, zsets, streams), not in API responses. While queued, the job
// holds only the sealed form.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { createLogger } from '../../src/logging.js';
import { unseal } from '../../src/queue/seal.js';
import { mailbox } from '../lab/scenarios.js';
import { dumpKeys, secretForms, startService, type Service } from '../helpers/service.js';

function assertNowhere(secret: string, where: string, texts: Iterable<string>) {
  for (const t of texts) {
    for (const form of secretForms(secret)) {
      assert.ok(!t.includes(form), `${where} contains the password (as ${form === secret ? 'clear text' : 'an encoding'}): ${t.slice(0, 300)}`);
    }
  }
}

test('the logger removes credentials by path, whatever the caller passes', () => {
  const lines: string[] = [];
  const log = createLogger({ LOG_LEVEL: 'info' }, { write: (l: string) => { lines.push(l); } });
  log.info({
    password: 'P1-secret', sealed: 'S1-secret', authorization: 'Bearer A1-secret',
    body: { password: 'P2-secret' }, job: { data: { sealed: 'S2-secret', password: 'P3-secret' } },
    req: { headers: { authorization: 'Bearer A2-secret', 'idempotency-key': 'I1-secret' } },
    diagnosticId: 'd-1', check: 'imap', code: 'AUTH_FAILED',
  }, 'an event');
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0], /-secret/);
  const line = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(line.password, '[redacted]');
  assert.deepEqual([line.diagnosticId, line.check, line.code], ['d-1', 'imap', 'AUTH_FAILED'], 'the fixed fields stay');
});

describe('while queued (no worker)', () => {
  let s: Service;
  before(async () => { s = await startService({}, { worker: false }); });
  after(() => s.close());

  test('the job holds only { diagnosticId, sealed }; nothing in Redis, logs or responses holds the password', async () => {
    const password = 'Queued-Secret-Pa55word!';
    const res = await s.request.post('/v1/diagnostics').set(s.auth).set('idempotency-key', 'k-1')
      .send({ account: 'queued@secret.test', password, checks: ['mx'] });
    assert.equal(res.status, 202);
    const q = new Queue('diagnostics', { connection: s.redis, prefix: s.config.REDIS_PREFIX });
    try {
      const job = await q.getJob(res.body.id);
      assert.ok(job);
      assert.deepEqual(Object.keys(job.data).sort(), ['diagnosticId', 'sealed']);
      assert.equal(job.data.diagnosticId, res.body.id);
      assert.notEqual(job.data.sealed, password);
      assert.equal(unseal(s.config.sealKey!, job.data.sealed, res.body.id), password, 'the sealed form is the password, sealed');
    } finally {
      await q.close();
    }
    const dump = await dumpKeys(s.redis, s.config.REDIS_PREFIX);
    assert.ok([...dump.keys()].some((k) => k.includes(':diagnostics:')), 'the queue keys were scanned');
    assertNowhere(password, 'Redis', dump.values());
    assertNowhere(password, 'the logs', s.logs);
    assertNowhere(password, 'the API response', [JSON.stringify(res.body), JSON.stringify(res.headers)]);
    // A validation error about the password does not echo it either.
    const bad = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'queued@secret.test', password: password.repeat(20) });
    assert.equal(bad.status, 400);
    assertNowhere(password, 'a 400 problem', [JSON.stringify(bad.body)]);
    // Nor is the API key logged.
    assertNowhere(s.apiKey, 'the logs (API key)', s.logs);
  });
});

describe('after real runs through the API (lab)', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/secrets.test.ts' }, () => {
  let s: Service;
  before(async () => { s = await startService({ PROVIDER: 'none', RECEIVE_TIMEOUT_MS: '20000' }); });
  after(() => s.close());

  test('healthy and wrong-password runs leave the password nowhere', async () => {
    const healthy = mailbox('healthy@healthy.test');
    const wrong = 'Wrong-Pa55word-for-wrongpw';
    const runs = [
      { account: healthy.address, password: healthy.password, checks: ['mx', 'imap', 'send', 'webmail', 'autodiscover', 'receive'] },
      { account: 'wrongpw@healthy.test', password: wrong, checks: ['imap', 'send', 'webmail', 'autodiscover'] },
    ];
    const responses: string[] = [];
    const created = await Promise.all(runs.map(async (r) => {
      const res = await s.request.post('/v1/diagnostics').set(s.auth).send(r);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      responses.push(JSON.stringify(res.body));
      return res.body.id as string;
    }));
    const ended = await Promise.all(created.map((id) => s.waitFor(id, ['completed', 'failed'], 90000)));
    assert.equal(ended[0].status, 'completed');
    assert.equal(ended[0].verdict, 'healthy', JSON.stringify(ended[0].results.map((r) => [r.id, r.status, r.code])));
    assert.equal(ended[1].primaryCause, 'AUTH_FAILED');
    for (const id of created) {
      const got = await s.request.get(`/v1/diagnostics/${id}`).set(s.auth);
      responses.push(JSON.stringify(got.body));
      const events = await s.request.get(`/v1/diagnostics/${id}/events`).set(s.auth).buffer(true).parse((res, cb) => {
        let d = ''; res.on('data', (c: Buffer) => { d += c.toString(); }); res.on('end', () => cb(null, d));
      });
      responses.push(String(events.body));
      const report = await s.request.get(`/v1/diagnostics/${id}/report`).set(s.auth);
      responses.push(report.text);
    }
    responses.push(JSON.stringify((await s.request.get('/v1/diagnostics').set(s.auth)).body));
    const dump = await dumpKeys(s.redis, s.config.REDIS_PREFIX);
    assert.ok([...dump.keys()].some((k) => k.includes(':events:')), 'event streams were scanned');
    for (const pw of [healthy.password, wrong]) {
      assertNowhere(pw, 'Redis', dump.values());
      assertNowhere(pw, 'the logs', s.logs);
      assertNowhere(pw, 'the API responses', responses);
    }
    assert.ok(s.logs.some((l) => l.includes('"check":"imap"')), 'the worker did log per check (the scan looked at real lines)');
  });
});
