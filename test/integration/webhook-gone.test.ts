// A 410 Gone mark belongs to the client whose endpoint answered it: another client that posts to
// the same URL is not silenced by it, and its re-send does not reopen the endpoint for the first.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Worker } from 'bullmq';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { createRedis } from '../../src/store/redis.js';
import type { DeliveryJobData } from '../../src/webhooks/delivery-worker.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { deleteKeys } from '../helpers/service.js';

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('410 Gone marks are per client', () => {
  let dir: string;
  let receiver: Server;
  let url: string;
  let hits: string[] = [];
  let redis: ReturnType<typeof createRedis>;
  let dispatcher: WebhookDispatcher;
  let worker: Worker<DeliveryJobData>;
  let prefix: string;

  before(async () => {
    receiver = createServer((req, res) => {
      hits.push(String(req.headers['webhook-id']));
      req.resume();
      res.statusCode = 410;
      res.end();
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/shared`;
    dir = mkdtempSync(join(tmpdir(), 'exdiag-gone-'));
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [secret()] }, { id: 'beta', webhookSecrets: [secret()] }]));
    prefix = `test-gone-${randomBytes(5).toString('hex')}`;
    const config = loadConfig({
      ...process.env, REDIS_PREFIX: prefix, CLIENTS_FILE: join(dir, 'clients.json'),
      API_KEYS: `alpha:${randomBytes(16).toString('hex')},beta:${randomBytes(16).toString('hex')}`,
      WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWLIST: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE: '0.1',
    });
    redis = createRedis(config, 'worker');
    dispatcher = createWebhookDispatcher({ config, connection: redis, log: pino({ level: 'silent' }) });
    worker = dispatcher.startWorker();
    await worker.waitUntilReady();
  });

  after(async () => {
    await dispatcher?.close();
    await deleteKeys(redis, `${prefix}:*`);
    await redis?.quit();
    receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const finished = (clientId: string): DiagnosticRecord => ({
    id: `d_${randomBytes(8).toString('hex')}`, clientId, account: 'gone@example.test', platform: 'lab', checks: ['mx'], locale: 'en',
    webhookUrl: url, status: 'completed', progress: { total: 1, completed: 1, running: [] }, results: [],
    verdict: 'healthy', causes: [], createdAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 1,
  });

  /** Sends (or re-sends) and resolves once its attempt is logged; every attempt here ends the job. */
  async function deliver(record: DiagnosticRecord, how: 'event' | 'resend') {
    const before = (await dispatcher.deliveries(record.id)).length;
    const failed = once(worker, 'failed');
    if (how === 'event') await dispatcher.enqueueFor(record);
    else assert.equal((await dispatcher.resend(record)).queued, true);
    await failed;
    const log = await dispatcher.deliveries(record.id);
    assert.equal(log.length, before + 1);
    return log.at(-1)!;
  }

  it('one client\'s mark neither silences nor is cleared by another client', async () => {
    hits = [];
    const a1 = finished('alpha');
    assert.equal((await deliver(a1, 'event')).status, 410);
    assert.equal(hits.length, 1);
    const a2 = finished('alpha');
    const skipped = await deliver(a2, 'event');
    assert.equal(skipped.outcome, 'gone');
    assert.equal(skipped.status, undefined, 'alpha sends nothing more to its gone endpoint');
    assert.equal(hits.length, 1);

    // Beta posts to the same URL: its own events go out (and it gets its own mark).
    const b1 = finished('beta');
    assert.equal((await deliver(b1, 'event')).status, 410);
    assert.equal(hits.length, 2);
    // Beta's re-send reopens the endpoint for beta only.
    assert.equal((await deliver(b1, 'resend')).status, 410);
    assert.equal(hits.length, 3);
    const a3 = finished('alpha');
    assert.equal((await deliver(a3, 'event')).outcome, 'gone');
    assert.equal(hits.length, 3, 'alpha\'s mark survived beta\'s re-send');

    // Alpha's own re-send does reopen it.
    assert.equal((await deliver(a3, 'resend')).status, 410);
    assert.equal(hits.length, 4);
    assert.ok(hits.every((h) => h.startsWith('msg_d_')));
  });
});
