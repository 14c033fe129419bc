// Webhook delivery against real Redis and real HTTP receivers on loopback. Every request the
// receivers get is verified with an independent implementation of Standard Webhooks (HMAC here,
// not the library that signs), with two secrets in rotation.
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue, type Job } from 'bullmq';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { createRedis } from '../../src/store/redis.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { WEBHOOK_QUEUE, type DeliveryJobData } from '../../src/webhooks/delivery-worker.js';
import { deleteKeys, startService, type Service } from '../helpers/service.js';

const SECRET_NEW = `whsec_${randomBytes(32).toString('base64')}`;
const SECRET_OLD = `whsec_${randomBytes(32).toString('base64')}`;
const PASSWORD = 'Never-In-A-Webhook-9f3a';

/** Standard Webhooks verification written from the spec, independent of the signing code. */
function verifySignature(secret: string, h: IncomingMessage['headers'], body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${h['webhook-id']}.${h['webhook-timestamp']}.${body}`).digest();
  return String(h['webhook-signature'] ?? '').split(' ').some((p) => {
    const [v, sig] = p.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return v === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

interface Hit { path: string; id: string; ts: number; at: number; body: string; validOld: boolean; validNew: boolean; sigCount: number }

/** A receiver whose answer per path is programmable; records and verifies every request. */
class Receiver {
  hits: Hit[] = [];
  server: Server;
  port = 0;
  constructor(private respond: (path: string, n: number, res: ServerResponse) => void) {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const path = req.url ?? '/';
        this.hits.push({
          path, body, at: Date.now(),
          id: String(req.headers['webhook-id']), ts: Number(req.headers['webhook-timestamp']),
          validOld: verifySignature(SECRET_OLD, req.headers, body), validNew: verifySignature(SECRET_NEW, req.headers, body),
          sigCount: String(req.headers['webhook-signature'] ?? '').split(' ').length,
        });
        this.respond(path, this.hits.filter((h) => h.path === path).length, res);
        this.server.emit('hit', path);
      });
    });
  }
  async listen(port = 0) {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }
  async close() {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }
  of(path: string) {
    return this.hits.filter((h) => h.path === path);
  }
}

function finishedRecord(over: Partial<DiagnosticRecord> = {}): DiagnosticRecord {
  return {
    id: `d_${randomBytes(8).toString('hex')}`, clientId: 'alpha', account: 'wrongpw@healthy.test', platform: 'lab', checks: ['imap'], locale: 'en',
    metadata: { ticket: 'TCK-77' }, status: 'completed', progress: { total: 1, completed: 1, running: [] },
    results: [{ id: 'imap', status: 'fail', code: 'AUTH_FAILED', message: 'IMAP login rejected', evidence: { response: 'NO [AUTHENTICATIONFAILED]' }, durationMs: 5, startedAt: new Date().toISOString() }],
    verdict: 'failing', primaryCause: 'AUTH_FAILED', causes: ['AUTH_FAILED'],
    createdAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 5, ...over,
  };
}

describe('webhook delivery', () => {
  let dir: string;
  let config: Config;
  let dispatcher: WebhookDispatcher;
  let redis: ReturnType<typeof createRedis>;
  let receiver: Receiver;
  const tracked = new EventEmitter();
  let worker: ReturnType<WebhookDispatcher['startWorker']>;
  let queue: Queue;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exdiag-wh-'));
    // Rotation: the new secret is first, the old one still signs.
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [SECRET_NEW, SECRET_OLD] }]));
    receiver = new Receiver((path, n, res) => {
      if (path === '/ok') return res.end('ok');
      if (path === '/gone') { res.statusCode = 410; return res.end(); }
      if (path === '/busy') {
        if (n === 1) { res.writeHead(429, { 'retry-after': '1' }); return res.end(); }
        return res.end('ok');
      }
      if (path === '/redirect') { res.writeHead(302, { location: '/ok' }); return res.end(); }
      res.statusCode = 404;
      res.end();
    });
    await receiver.listen();
    config = loadConfig({
      ...process.env,
      REDIS_PREFIX: `test-wh-${randomBytes(5).toString('hex')}`,
      API_KEYS: `alpha:${randomBytes(16).toString('hex')}`,
      CLIENTS_FILE: join(dir, 'clients.json'),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWLIST: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,0.8',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    redis = createRedis(config, 'worker');
    // Deliveries resolve "hooks.example" to a private address: the connect-time policy must refuse it.
    dispatcher = createWebhookDispatcher({
      config, connection: redis, log: pino({ level: 'silent' }),
      resolve: (host, cb) => (host === 'hooks.example'
        ? cb(null, [{ address: '10.1.2.3', family: 4 }])
        : cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), [])),
    });
    worker = dispatcher.startWorker();
    // Every attempt ends in completed or failed: tests wait on these instead of sleeping.
    const track = (job: Job<DeliveryJobData> | undefined) => { if (job) tracked.emit('tracked', job.id); };
    worker.on('completed', track);
    worker.on('failed', track);
    await worker.waitUntilReady();
    queue = new Queue(WEBHOOK_QUEUE, { connection: redis, prefix: config.REDIS_PREFIX });
  });

  after(async () => {
    await queue.close();
    await dispatcher.close();
    await deleteKeys(redis, `${config.REDIS_PREFIX}:*`);
    await redis.quit();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Resolves once the job with this id has finished for good (delivered or no more retries). */
  async function settledJob(jobId: string, timeoutMs = 15000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const state = await queue.getJobState(jobId);
      if (state === 'completed' || state === 'failed') return;
      // Woken by the worker's next completed/failed event (or re-check after a short while).
      await once(tracked, 'tracked', { signal: AbortSignal.timeout(Math.min(500, Math.max(1, deadline - Date.now()))) }).catch(() => undefined);
    }
    throw new Error(`job ${jobId} did not settle in ${timeoutMs} ms`);
  }

  it('delivers a signed event once, verifiable with the old and the new secret, with the full record and summaries', async () => {
    const r = finishedRecord({ webhookUrl: receiver.url('/ok') });
    await dispatcher.enqueueFor(r);
    await settledJob(`msg_${r.id}_completed`);
    const [hit, ...more] = receiver.of('/ok').filter((h) => h.id === `msg_${r.id}_completed`);
    assert.equal(more.length, 0, 'exactly one request');
    assert.ok(hit.validNew && hit.validOld, 'both rotation secrets verify');
    assert.equal(hit.sigCount, 2);
    assert.ok(Math.abs(hit.ts * 1000 - hit.at) < 5000, 'timestamp is the attempt time');
    const payload = JSON.parse(hit.body);
    assert.equal(payload.type, 'diagnostic.completed');
    assert.equal(payload.data.diagnostic.id, r.id);
    assert.equal(payload.data.diagnostic.primaryCause, 'AUTH_FAILED');
    assert.match(payload.data.summary.markdown, /AUTH_FAILED/);
    assert.match(payload.data.summary.text, /Root cause: AUTH_FAILED/);
    assert.match(payload.data.summary.text, /TCK-77/);
    assert.ok(!hit.body.includes(PASSWORD));
    const log = await dispatcher.deliveries(r.id);
    assert.equal(log.length, 1);
    assert.equal(log[0].outcome, 'delivered');
    assert.equal(log[0].status, 200);
    assert.equal(log[0].attempt, 1);
    assert.equal(typeof log[0].ms, 'number');
  });

  it('sends the event types of failed and cancelled runs; nothing for a running one', async () => {
    const failed = finishedRecord({ webhookUrl: receiver.url('/ok'), status: 'failed', error: { code: 'WORKER_LOST', message: 'lost' } });
    const cancelled = finishedRecord({ webhookUrl: receiver.url('/ok'), status: 'cancelled' });
    const running = finishedRecord({ webhookUrl: receiver.url('/ok'), status: 'running', finishedAt: undefined });
    await dispatcher.enqueueFor(failed);
    await dispatcher.enqueueFor(cancelled);
    await dispatcher.enqueueFor(running);
    await settledJob(`msg_${failed.id}_failed`);
    await settledJob(`msg_${cancelled.id}_cancelled`);
    const types = receiver.of('/ok').filter((h) => [failed.id, cancelled.id, running.id].some((id) => h.id.includes(id))).map((h) => JSON.parse(h.body).type).sort();
    assert.deepEqual(types, ['diagnostic.cancelled', 'diagnostic.failed']);
    assert.deepEqual(await dispatcher.deliveries(running.id), []);
  });

  it('retries a receiver that is down, then erroring, on the schedule until it comes back; one request per attempt', async () => {
    // Reserve a port, then leave it closed: the first attempt is refused.
    const flaky = new Receiver((_p, n, res) => { res.statusCode = n === 1 ? 500 : 200; res.end(); });
    await flaky.listen();
    const port = flaky.port;
    await flaky.close();
    const r = finishedRecord({ webhookUrl: `http://127.0.0.1:${port}/hook` });
    const jobId = `msg_${r.id}_completed`;
    await dispatcher.enqueueFor(r);
    // Wait for the refused attempt to be recorded, then bring the receiver back.
    while ((await dispatcher.deliveries(r.id)).length < 1) await once(tracked, 'tracked');
    await flaky.listen(port);
    try {
      await settledJob(jobId);
    } finally {
      await flaky.close();
    }
    const log = await dispatcher.deliveries(r.id);
    assert.deepEqual(log.map((a) => [a.attempt, a.outcome, a.status]), [[1, 'failed', undefined], [2, 'failed', 500], [3, 'delivered', 200]]);
    assert.match(log[0].error!, /ECONNREFUSED/);
    assert.ok(log[0].nextRetryAt && log[1].nextRetryAt && !log[2].nextRetryAt);
    assert.equal(flaky.hits.length, 2, 'attempts 2 and 3 reached the receiver, once each');
    assert.ok(flaky.hits.every((h) => h.id === jobId && h.validNew && h.validOld));
    const gaps = [Date.parse(log[1].at) - Date.parse(log[0].at), Date.parse(log[2].at) - Date.parse(log[1].at)];
    assert.ok(gaps[0] >= 200 - 20, `first retry after >= 0.2 s (${gaps[0]} ms)`);
    assert.ok(gaps[1] >= 400 - 20, `second retry after >= 0.4 s (${gaps[1]} ms)`);
  });

  it('stops at 410 Gone and sends no later event to that endpoint, saying why', async () => {
    const first = finishedRecord({ webhookUrl: receiver.url('/gone') });
    await dispatcher.enqueueFor(first);
    await settledJob(`msg_${first.id}_completed`);
    assert.equal(receiver.of('/gone').length, 1);
    const [a] = await dispatcher.deliveries(first.id);
    assert.equal(a.outcome, 'gone');
    assert.equal(a.status, 410);
    const second = finishedRecord({ webhookUrl: receiver.url('/gone') });
    await dispatcher.enqueueFor(second);
    await settledJob(`msg_${second.id}_completed`);
    assert.equal(receiver.of('/gone').length, 1, 'nothing sent to a gone endpoint');
    const [b] = await dispatcher.deliveries(second.id);
    assert.equal(b.outcome, 'gone');
    assert.match(b.error!, /410 Gone/);
  });

  it('honours Retry-After on 429', async () => {
    const r = finishedRecord({ webhookUrl: receiver.url('/busy') });
    await dispatcher.enqueueFor(r);
    await settledJob(`msg_${r.id}_completed`);
    const hits = receiver.of('/busy').filter((h) => h.id.includes(r.id));
    assert.equal(hits.length, 2);
    assert.ok(hits[1].at - hits[0].at >= 950, `waited Retry-After: 1 s, not the 0.2 s schedule (${hits[1].at - hits[0].at} ms)`);
    const log = await dispatcher.deliveries(r.id);
    assert.deepEqual(log.map((x) => x.status), [429, 200]);
  });

  it('does not follow redirects: a 3xx is a failed attempt, retried until the schedule ends', async () => {
    const before = receiver.of('/ok').length;
    const r = finishedRecord({ webhookUrl: receiver.url('/redirect') });
    await dispatcher.enqueueFor(r);
    await settledJob(`msg_${r.id}_completed`);
    assert.equal(receiver.of('/redirect').filter((h) => h.id.includes(r.id)).length, 4, 'first attempt + 3 retries');
    assert.equal(receiver.of('/ok').length, before, 'the redirect target was never called');
    const log = await dispatcher.deliveries(r.id);
    assert.equal(log.length, 4);
    assert.ok(log.every((a) => a.outcome === 'failed' && a.status === 302));
    assert.match(log[3].error!, /redirects are not followed\); no more retries/);
    assert.equal(log[3].nextRetryAt, undefined);
  });

  it('refuses non-allowlisted addresses: by URL at enqueue, and after DNS resolution at connect time', async () => {
    const literal = finishedRecord({ webhookUrl: `http://[::ffff:127.0.0.2]:${receiver.port}/ok` });
    await dispatcher.enqueueFor(literal);
    const [a] = await dispatcher.deliveries(literal.id);
    assert.equal(a.outcome, 'refused');
    assert.match(a.error!, /loopback/);

    const named = finishedRecord({ webhookUrl: 'http://hooks.example/hook' });
    await dispatcher.enqueueFor(named);
    await settledJob(`msg_${named.id}_completed`);
    const log = await dispatcher.deliveries(named.id);
    assert.equal(log.length, 1, 'no retry after a policy refusal');
    assert.equal(log[0].outcome, 'refused');
    assert.match(log[0].error!, /hooks\.example resolves to 10\.1\.2\.3 is a private address/);
  });

  it('re-sends on request with the same message id, and a re-send reopens a gone endpoint', async () => {
    const r = finishedRecord({ webhookUrl: receiver.url('/ok') });
    await dispatcher.enqueueFor(r);
    await settledJob(`msg_${r.id}_completed`);
    const res = await dispatcher.resend(r);
    assert.equal(res.queued, true);
    while ((await dispatcher.deliveries(r.id)).length < 2) await once(tracked, 'tracked');
    const hits = receiver.of('/ok').filter((h) => h.id === `msg_${r.id}_completed`);
    assert.equal(hits.length, 2);
    const log = await dispatcher.deliveries(r.id);
    assert.deepEqual(log.map((x) => [x.trigger, x.outcome]), [['event', 'delivered'], ['resend', 'delivered']]);
  });
});

describe('deliveries API', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/webhooks.test.ts' }, () => {
  let svc: Service;
  let receiver: Receiver;
  let dispatcher: WebhookDispatcher;
  let diagWorker: Awaited<ReturnType<typeof import('../../src/worker/create-worker.js')['startDiagnosticWorker']>>;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exdiag-wh-'));
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [SECRET_NEW] }]));
    receiver = new Receiver((_p, _n, res) => res.end('ok'));
    await receiver.listen();
    svc = await startService({
      CLIENTS_FILE: join(dir, 'clients.json'), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWLIST: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE: '0.2', PROVIDER: 'none',
    }, { worker: false });
    dispatcher = createWebhookDispatcher({ config: svc.config, connection: svc.redis, log: pino({ level: 'silent' }) });
    dispatcher.startWorker();
    const { startDiagnosticWorker } = await import('../../src/worker/create-worker.js');
    diagWorker = await startDiagnosticWorker({ config: svc.config, logger: pino({ level: 'silent' }), onFinished: (r) => dispatcher.enqueueFor(r) });
  });
  after(async () => {
    await diagWorker?.close(0);
    await dispatcher?.close();
    await svc?.close();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a finished diagnostic posts its webhook; attempts are listed; a re-send is accepted; other clients get 404', async () => {
    const created = await svc.request.post('/v1/diagnostics').set(svc.auth)
      .send({ account: 'healthy@healthy.test', password: PASSWORD, checks: ['mx'], webhookUrl: receiver.url('/e2e'), metadata: { ticket: 'T-1' } });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id as string;
    await svc.waitFor(id, 'completed');
    while (receiver.of('/e2e').length < 1) await once(receiver.server, 'hit');
    const [hit] = receiver.of('/e2e');
    assert.ok(hit.validNew);
    assert.equal(JSON.parse(hit.body).data.diagnostic.id, id);
    assert.ok(!hit.body.includes(PASSWORD), 'no password in the webhook');

    let list = await svc.request.get(`/v1/diagnostics/${id}/deliveries`).set(svc.auth);
    while (list.body.items?.length < 1) list = await svc.request.get(`/v1/diagnostics/${id}/deliveries`).set(svc.auth);
    assert.equal(list.status, 200);
    assert.equal(list.body.items[0].outcome, 'delivered');
    assert.equal(list.body.items[0].url, receiver.url('/e2e'));

    assert.equal((await svc.request.get(`/v1/diagnostics/${id}/deliveries`).set(svc.otherAuth)).status, 404);
    assert.equal((await svc.request.post(`/v1/diagnostics/${id}/deliveries`).set(svc.otherAuth)).status, 404);
    assert.equal((await svc.request.get(`/v1/diagnostics/${id}/deliveries`)).status, 401);

    const resent = await svc.request.post(`/v1/diagnostics/${id}/deliveries`).set(svc.auth);
    assert.equal(resent.status, 202);
    while (receiver.of('/e2e').length < 2) await once(receiver.server, 'hit');
    assert.equal(receiver.of('/e2e')[1].id, hit.id, 'same message id on a re-send');
  });
});
