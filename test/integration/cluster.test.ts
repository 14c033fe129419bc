// The service on a real Redis Cluster (three masters, test/lab/redis-cluster.ts), through the same
// code as on one Redis: the API admits (record + job in one MULTI on the deployment's slot),
// replays and refuses; the progress stream (SSE) reads on a connection of its own; a cancel
// published by the API reaches the worker running the diagnostic (pub/sub is cluster-wide); a
// webhook goes through its own queue, under the same hash tag. Durability on the cluster
// (SIGKILL, SIGTERM, a node restarted with AOF) is in durability.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { request } from 'undici';
import { DIAGNOSTICS_QUEUE } from '../../src/queue/names.js';
import { createRedis, isCluster } from '../../src/store/redis.js';
import { WEBHOOK_QUEUE } from '../../src/webhooks/delivery-worker.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { startRedisCluster, type RedisCluster } from '../lab/redis-cluster.js';
import { scanKeys, startService, startSilentDns, type Service } from '../helpers/service.js';

const body = (account: string, extra: Record<string, unknown> = {}) => ({ account, password: 'Cluster-pw-1', checks: ['mx'], ...extra });

/** The event names of an SSE response, read until the server ends it. */
async function sseEvents(url: string, headers: Record<string, string>): Promise<string[]> {
  const res = await request(url, { headers: { accept: 'text/event-stream', ...headers }, signal: AbortSignal.timeout(30000) });
  assert.equal(res.statusCode, 200);
  let text = '';
  for await (const chunk of res.body) text += chunk.toString('utf8');
  return [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
}

describe('on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let dns: Awaited<ReturnType<typeof startSilentDns>>;
  let s: Service;
  let base: string;
  let dir: string;
  let receiver: Server;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let hookUrl: string;

  before(async () => {
    [cluster, dns] = await Promise.all([startRedisCluster(), startSilentDns()]);
    receiver = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => { b += c.toString(); });
      req.on('end', () => { received.push({ headers: req.headers, body: b }); res.end(); });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    dir = mkdtempSync(join(tmpdir(), 'exdiag-cluster-test-'));
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [`whsec_${randomBytes(32).toString('base64')}`] }]));
    s = await startService({
      REDIS_CLUSTER_NODES: cluster.nodesSetting, REDIS_URL: 'redis://127.0.0.1:1',
      // A resolver that never answers keeps a run busy for DNS_TIMEOUT_MS × 2 tries.
      DNS_SERVERS: dns.server, DNS_TIMEOUT_MS: '1500', THROTTLE_MAX: '0',
      CLIENTS_FILE: join(dir, 'clients.json'), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWLIST: '127.0.0.1',
    });
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await s?.close();
    receiver?.close();
    await dns?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the prefix is hash-tagged, the connections are cluster clients; /readyz and the queue metrics answer', async () => {
    assert.match(s.config.REDIS_PREFIX, /^\{test-[0-9a-f]+\}$/);
    assert.ok(isCluster(s.redis));
    assert.deepEqual((await s.request.get('/readyz')).body, { status: 'ok' });
    // The queue gauges (read from Redis through BullMQ on the cluster).
    const m = await s.request.get('/metrics/cluster');
    assert.equal(m.status, 200);
    assert.match(m.text, /exdiag_queue_jobs\{state="waiting"\} \d+/);
  });

  test('admit, replay, 409, then the progress stream (SSE) to the end', async () => {
    const post = () => s.request.post('/v1/diagnostics').set(s.auth).set('idempotency-key', 'cluster-1').send(body('sse@cluster.test'));
    const created = await post();
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal((await post()).body.id, created.body.id, 'replayed');
    const conflict = await s.request.post('/v1/diagnostics').set(s.auth).send(body('sse@cluster.test'));
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.diagnosticId, created.body.id);
    const events = await sseEvents(`${base}/v1/diagnostics/${created.body.id}/events`, s.auth);
    assert.deepEqual([events[0], events.at(-1)], ['check.started', 'diagnostic.finished'], events.join(','));
    const done = await s.waitFor(created.body.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed');
  });

  test('a cancel published by the API reaches the worker running the diagnostic', async () => {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('cancel@cluster.test'));
    assert.equal(res.status, 202);
    await s.waitForEvent(res.body.id, 'check.started', 15000);
    const del = await s.request.delete(res.headers.location).set(s.auth);
    assert.equal(del.status, 202, 'a worker holds it: cancellation requested');
    const t0 = Date.now();
    const r = await s.waitFor(res.body.id, 'cancelled', 10000);
    // The run would last ~3 s (silent DNS): the abort came through pub/sub, not at the run's end.
    assert.ok(Date.now() - t0 < 2500, `cancelled after ${Date.now() - t0} ms`);
    assert.equal(r.status, 'cancelled');
  });

  test('the webhook queue shares the hash tag and delivers', async () => {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send(body('hook@cluster.test', { webhookUrl: hookUrl }));
    assert.equal(res.status, 202);
    const done = await s.waitFor(res.body.id, ['completed', 'failed']);
    const connection = createRedis(s.config, 'worker');
    const dispatcher: WebhookDispatcher = createWebhookDispatcher({ config: s.config, connection, log: pino({ level: 'silent' }) });
    try {
      const worker = dispatcher.startWorker();
      const delivered = once(worker, 'completed', { signal: AbortSignal.timeout(15000) });
      await dispatcher.enqueueFor(done);
      await delivered;
      assert.equal(received.length, 1);
      assert.equal(JSON.parse(received[0].body).data.diagnostic.id, done.id);
      assert.ok(received[0].headers['webhook-signature']);
      assert.equal((await dispatcher.deliveries(done.id))[0]?.outcome, 'delivered');
    } finally {
      await dispatcher.close();
      connection.disconnect();
    }
    // Both queues' keys and the store's live under the one tag, hence on one node.
    const keys = await scanKeys(s.redis, `${s.config.REDIS_PREFIX}:*`);
    for (const part of [`${DIAGNOSTICS_QUEUE}:`, `${WEBHOOK_QUEUE}:`, 'diag:', 'deliveries:']) {
      assert.ok(keys.some((k) => k.startsWith(`${s.config.REDIS_PREFIX}:${part}`)), `${part} keys: ${keys.join(', ')}`);
    }
    const home = await cluster.nodeOf(`${s.config.REDIS_PREFIX}:x`);
    assert.equal(await cluster.dbsize(home), keys.length);
    for (const n of cluster.nodes.filter((x) => x !== home)) assert.equal(await cluster.dbsize(n), 0, `node ${n.port} holds none`);
  });
});
