// Nothing the service writes to Redis lives forever: after real diagnostics (queued, replayed by
// Idempotency-Key, cancelled, completed, streamed, their webhook answered 410 Gone), every key
// under the test prefix has a TTL, except the bookkeeping BullMQ keeps per queue. In-flight
// records outlive the longest run; indexes drop entries no record can outlive.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { storeKeys } from '../../src/store/keys.js';
import { storeTtls } from '../../src/store/ttl.js';
import { WEBHOOK_QUEUE } from '../../src/webhooks/delivery-worker.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { startDiagnosticWorker, type DiagnosticWorker } from '../../src/worker/create-worker.js';
import { startService, type Service } from '../helpers/service.js';

/** BullMQ's own per-queue keys: its bookkeeping, and job hashes it removes by age and count. */
const BULLMQ_KEY = new RegExp(`^(diagnostics|${WEBHOOK_QUEUE}):(meta|id|events|wait|paused|active|delayed|prioritized|completed|failed|stalled|stalled-check|limiter|marker|pc|msg_[^:]+(:lock|:logs)?)$`);

describe('every Redis key expires', () => {
  let dir: string;
  let svc: Service;
  let worker: DiagnosticWorker | undefined;
  let dispatcher: WebhookDispatcher;
  let receiver: Server;
  let hookUrl: string;

  before(async () => {
    receiver = createServer((_req, res) => { res.statusCode = 410; res.end(); });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/gone`;
    dir = mkdtempSync(join(tmpdir(), 'exdiag-ttl-'));
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [`whsec_${randomBytes(32).toString('base64')}`] }]));
    // DNS on a closed port: real runs that end at once (no lab needed). No worker yet: runs stay queued.
    svc = await startService({
      DNS_SERVERS: '127.0.0.1:9', CLIENTS_FILE: join(dir, 'clients.json'),
      WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWLIST: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE: '0.1',
    }, { worker: false });
    dispatcher = createWebhookDispatcher({ config: svc.config, connection: svc.redis, log: pino({ level: 'silent' }) });
  });

  after(async () => {
    await worker?.close(0);
    await dispatcher?.close();
    await svc?.close();
    receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('in flight, finished, and after a webhook: TTLs everywhere, sized by the config', async () => {
    const keys = storeKeys(svc.config.REDIS_PREFIX);
    const ttls = storeTtls(svc.config);
    const post = (account: string, idem?: string) => {
      const r = svc.request.post('/v1/diagnostics').set(svc.auth);
      if (idem) r.set('idempotency-key', idem);
      return r.send({ account, password: 'Ttl-pw-1', checks: ['mx', 'srv'], webhookUrl: hookUrl, metadata: { ticket: 'TTL-1' } });
    };

    // An index entry older than anything a record can live: the next diagnostic trims it.
    const stale = '00000000-0000-4000-8000-000000000000';
    await svc.redis.zadd(keys.byClient('alpha'), Date.now() - (ttls.inFlightTtlSeconds + 60) * 1000, stale);

    const a = await post('ttl@example.test', 'TTL-idem');
    assert.equal(a.status, 202, JSON.stringify(a.body));
    assert.equal((await post('ttl@example.test', 'TTL-idem')).body.id, a.body.id, 'replayed');
    const b = await post('other@example.test');
    assert.equal(b.status, 202);

    // Queued (no worker): the record and its indexes outlive a result and the longest run.
    for (const key of [keys.diag(a.body.id), keys.byClient('alpha'), keys.byAccount('alpha', 'ttl@example.test')]) {
      const ttl = await svc.redis.ttl(key);
      assert.ok(ttl > svc.config.RESULT_TTL_SECONDS && ttl <= ttls.inFlightTtlSeconds, `${key}: ${ttl} s`);
    }
    assert.equal(await svc.redis.zscore(keys.byClient('alpha'), stale), null, 'stale index entry trimmed');

    // One ends cancelled while queued (by the API), the other runs to completion.
    assert.equal((await svc.request.delete(`/v1/diagnostics/${b.body.id}`).set(svc.auth)).status, 200);
    worker = await startDiagnosticWorker({ config: svc.config, logger: pino({ level: 'silent' }) });
    const done = await svc.waitFor(a.body.id, 'completed');
    const events = await svc.request.get(`/v1/diagnostics/${a.body.id}/events`).set(svc.auth);
    assert.match(events.text, /diagnostic\.finished/);
    for (const id of [a.body.id, b.body.id]) {
      for (const key of [keys.diag(id), keys.events(id)]) {
        const ttl = await svc.redis.ttl(key);
        assert.ok(ttl > 0 && ttl <= svc.config.RESULT_TTL_SECONDS, `finished: ${key}: ${ttl} s`);
      }
    }

    // Its webhook: the endpoint answers 410, which marks it (for this client) and logs the attempt.
    dispatcher.startWorker();
    await dispatcher.enqueueFor(done);
    const hooks = new Queue(WEBHOOK_QUEUE, { connection: svc.redis, prefix: svc.config.REDIS_PREFIX });
    try {
      for (const until = Date.now() + 15000; !['completed', 'failed'].includes(await hooks.getJobState(`msg_${done.id}_completed`));) {
        assert.ok(Date.now() < until, 'webhook job settled');
        await once(dispatcher.startWorker(), 'failed', { signal: AbortSignal.timeout(500) }).catch(() => undefined);
      }
    } finally {
      await hooks.close();
    }
    assert.equal((await dispatcher.deliveries(done.id))[0]?.outcome, 'gone');

    // The scan: every key of ours has a TTL; BullMQ's bookkeeping is bounded by BullMQ itself.
    const prefix = svc.config.REDIS_PREFIX;
    const noTtl: string[] = [];
    const seen: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await svc.redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of found) {
        seen.push(key);
        if (BULLMQ_KEY.test(key.slice(prefix.length + 1))) continue;
        if ((await svc.redis.ttl(key)) < 0) noTtl.push(key);
      }
    } while (cursor !== '0');
    const kinds = new Set(seen.map((k) => k.slice(prefix.length + 1).split(':')[0]));
    for (const kind of ['diag', 'events', 'idx', 'idem', 'deliveries', 'gone']) {
      assert.ok(kinds.has(kind), `the run wrote ${kind} keys (saw ${[...kinds].sort().join(', ')})`);
    }
    assert.deepEqual(noTtl, [], 'keys without a TTL');
  });
});
