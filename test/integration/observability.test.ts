// Worker observability against real Redis and real HTTP peers on 127.0.0.1: check and diagnostic
// duration histograms from real runs, BullMQ's Prometheus export on /metrics/cluster (read by a
// strict exposition parser), webhook delivery counters from a receiver that answers 200, 500 then
// 410, and OpenTelemetry spans exported as OTLP/HTTP JSON to a recording receiver: one trace from
// the POST through the worker and its checks to the webhook, with no secret in the exported bytes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Queue, type Job } from 'bullmq';
import { pino } from 'pino';
import client from 'prom-client';
import { loadConfig } from '../../src/config/index.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { createLogger } from '../../src/logging.js';
import { mergeExposition, registerOutcomeMetrics, registerWebhookMetrics } from '../../src/metrics.js';
import { DIAGNOSTICS_QUEUE } from '../../src/queue/names.js';
import type { DiagnosticJobData } from '../../src/queue/payload.js';
import { createRedis } from '../../src/store/redis.js';
import { flushTracing, startTracing, stopTracing, tracingEnabled } from '../../src/tracing.js';
import type { DeliveryJobData } from '../../src/webhooks/delivery-worker.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { eventFor, messageIdFor } from '../../src/webhooks/payload.js';
import { startDiagnosticWorker, type DiagnosticWorker } from '../../src/worker/create-worker.js';
import { startHealthServer } from '../../src/worker/health-server.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { deleteKeys, secretForms, startService, type Service } from '../helpers/service.js';

// DNS on a closed local port: real runs that end with DNS errors and dial nothing, lab or not;
// without a provider the account check skips itself (a skipped check is not observed).
const FAST_RUNS = { DNS_SERVERS: '127.0.0.1:9', PROVIDER: 'none' };
const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** A real HTTP receiver on 127.0.0.1 that answers each request with the next status of `statuses` (then the last). */
async function startReceiver(statuses: number[]) {
  const hits: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  const events = new EventEmitter();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.statusCode = statuses[Math.min(hits.length, statuses.length) - 1];
      res.end();
      events.emit('hit', hits.length);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    hits,
    async waitForHits(n: number, timeoutMs = 15000) {
      while (hits.length < n) await once(events, 'hit', { signal: AbortSignal.timeout(timeoutMs) });
    },
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

describe('exposition merge and tracing settings', () => {
  it('BullMQ exports of two queues become one valid exposition: one HELP/TYPE per family', () => {
    // The shape Queue#exportPrometheusMetrics writes (node_modules/bullmq/dist/esm/classes/queue-getters.js).
    const bull = (q: string) => [
      '# HELP bullmq_job_count Number of jobs in the queue by state', '# TYPE bullmq_job_count gauge',
      `bullmq_job_count{queue="${q}", state="waiting"} 2`, `bullmq_job_count{queue="${q}", state="active"} 0`,
      '# HELP bullmq_job_completed_total Total number of completed jobs', '# TYPE bullmq_job_completed_total counter',
      `bullmq_job_completed_total{queue="${q}"} 0`,
    ].join('\n');
    const own = '# HELP exdiag_queue_jobs Jobs\n# TYPE exdiag_queue_jobs gauge\nexdiag_queue_jobs{state="waiting"} 2\n';
    const naive = `${own}${bull('a')}\n${bull('b')}\n`;
    assert.throws(() => parseExposition(naive), /appears twice|second (HELP|TYPE)/, 'concatenating is not valid');
    const merged = mergeExposition([own, bull('a'), bull('b')], new Set(['bullmq_job_completed_total']));
    const f = parseExposition(merged);
    assert.deepEqual([...f.keys()], ['exdiag_queue_jobs', 'bullmq_job_count']);
    assert.equal(valueOf(f, 'bullmq_job_count', { queue: 'b', state: 'waiting' }), 2);
    assert.equal(f.get('bullmq_job_count')!.samples.length, 4);
    assert.match(merged, /^bullmq_job_count\{queue="a",state="waiting"\} 2$/m, 'no blank between label pairs');
  });

  it('OTEL_EXPORTER_OTLP_ENDPOINT is validated when the config loads; unset means off', () => {
    const base = { SEAL_KEY: randomBytes(32).toString('base64') };
    assert.equal(loadConfig(base).OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.equal(loadConfig(base).OTEL_SERVICE_NAME, 'exchange-diagnostics');
    assert.equal(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.equal(loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
    for (const bad of ['collector:4318', 'ftp://127.0.0.1/', 'http://user:pw@127.0.0.1:4318', 'http://127.0.0.1:4318/?k=v']) {
      assert.throws(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: bad }), /OTEL_EXPORTER_OTLP_ENDPOINT/, bad);
    }
  });
});

describe('BullMQ queue metrics on /metrics/cluster', () => {
  let s: Service;
  before(async () => { s = await startService(FAST_RUNS, { worker: false }); });
  after(async () => { await s?.close(); });

  it('appends both queues\' bullmq_job_count to the cluster gauges, as one valid exposition', async () => {
    const r = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'bull@metrics.test', password: 'p', checks: ['mx'] });
    assert.equal(r.status, 202);
    const res = await s.request.get('/metrics/cluster');
    assert.equal(res.status, 200);
    const f = parseExposition(res.text);
    assert.equal(valueOf(f, 'exdiag_queue_jobs', { state: 'waiting' }), 1);
    assert.equal(valueOf(f, 'bullmq_job_count', { queue: DIAGNOSTICS_QUEUE, state: 'waiting' }), 1);
    assert.equal(valueOf(f, 'bullmq_job_count', { queue: 'webhooks', state: 'waiting' }), 0);
    assert.equal(f.get('bullmq_job_count')!.type, 'gauge');
    assert.ok(!f.has('bullmq_job_completed_total') && !f.has('bullmq_job_failed_total'), 'BullMQ\'s metrics option is off: no always-zero counters');
    for (const name of f.keys()) assert.match(name, /^(exdiag_|bullmq_)/, 'only cluster-wide families');
    await s.request.delete(r.headers.location).set(s.auth);
    const after = parseExposition((await s.request.get('/metrics/cluster')).text);
    assert.equal(valueOf(after, 'bullmq_job_count', { queue: DIAGNOSTICS_QUEUE, state: 'waiting' }), 0);
  });
});

describe('check and diagnostic duration histograms', () => {
  let s: Service;
  let worker: DiagnosticWorker;
  const registry = new client.Registry();
  const ended = new Map<string, DiagnosticRecord>();
  const events = new EventEmitter();

  before(async () => {
    s = await startService(FAST_RUNS, { worker: false });
    worker = await startDiagnosticWorker({
      config: s.config, logger: createLogger({ LOG_LEVEL: 'silent' }), outcomes: registerOutcomeMetrics(registry),
      // onFinished runs after the finisher counted the run.
      onFinished: async (rec) => { ended.set(rec.id, rec); events.emit('ended'); },
    });
  });
  after(async () => {
    await worker?.close(0);
    await s?.close();
  });

  it('observes every check that ran, by check and status, and the run by verdict; skipped checks are not observed', async () => {
    const r = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'durations@metrics.test', password: 'p', checks: ['account', 'mx', 'spf'] });
    assert.equal(r.status, 202);
    while (!ended.has(r.body.id)) await once(events, 'ended', { signal: AbortSignal.timeout(30000) });
    const done = ended.get(r.body.id)!;
    assert.equal(done.status, 'completed');
    const f = parseExposition(await registry.metrics());
    assert.equal(f.get('exdiag_check_duration_seconds')!.type, 'histogram');
    const ran = done.results.filter((c) => c.status !== 'skipped');
    const skipped = done.results.filter((c) => c.status === 'skipped');
    assert.ok(ran.length >= 2, 'mx and spf ran');
    assert.ok(skipped.some((c) => c.id === 'account'), 'account skips itself without a provider');
    for (const c of ran) {
      const labels = { check: c.id, status: c.status };
      assert.equal(valueOf(f, 'exdiag_check_duration_seconds_count', labels), 1, c.id);
      assert.ok(Math.abs(valueOf(f, 'exdiag_check_duration_seconds_sum', labels)! - c.durationMs / 1000) < 1e-9, `${c.id}: sum is its durationMs`);
      assert.equal(valueOf(f, 'exdiag_check_duration_seconds_bucket', { ...labels, le: '+Inf' }), 1);
      // The first bucket at or above the duration holds it; the one below does not (buckets are cumulative).
      const buckets = f.get('exdiag_check_duration_seconds')!.samples.filter((x) => x.name.endsWith('_bucket') && x.labels.check === c.id && x.labels.le !== '+Inf');
      for (const b of buckets) assert.equal(b.value, Number(b.labels.le) >= c.durationMs / 1000 ? 1 : 0, `${c.id} le=${b.labels.le}`);
    }
    for (const c of skipped) {
      assert.equal(valueOf(f, 'exdiag_check_duration_seconds_count', { check: c.id }), undefined, `${c.id} skipped: not observed`);
    }
    assert.equal(valueOf(f, 'exdiag_diagnostic_duration_seconds_count', { verdict: done.verdict! }), 1);
    assert.ok(Math.abs(valueOf(f, 'exdiag_diagnostic_duration_seconds_sum', { verdict: done.verdict! })! - done.durationMs! / 1000) < 1e-9);
  });

  it('a run that ended without a verdict (failed, cancelled) observes the checks that ran, not the run', async () => {
    const own = new client.Registry();
    const outcomes = registerOutcomeMetrics(own);
    const at = new Date().toISOString();
    await outcomes.recordFinished({
      id: 'd_cancelled', clientId: 'alpha', account: 'x@metrics.test', platform: 'lab', checks: ['mx', 'mx-tls'], locale: 'en',
      status: 'cancelled', progress: { total: 2, completed: 2, running: [] }, createdAt: at, finishedAt: at,
      results: [
        { id: 'mx', status: 'pass', message: 'ok', evidence: {}, durationMs: 1500, startedAt: at },
        { id: 'mx-tls', status: 'skipped', message: 'skipped', evidence: {}, durationMs: 0, startedAt: at },
      ],
    });
    const f = parseExposition(await own.metrics());
    assert.equal(valueOf(f, 'exdiag_check_duration_seconds_count', { check: 'mx', status: 'pass' }), 1);
    assert.equal(valueOf(f, 'exdiag_check_duration_seconds_bucket', { check: 'mx', le: '1' }), 0);
    assert.equal(valueOf(f, 'exdiag_check_duration_seconds_bucket', { check: 'mx', le: '2.5' }), 1);
    assert.equal(valueOf(f, 'exdiag_check_duration_seconds_count', { check: 'mx-tls' }), undefined);
    assert.equal(f.get('exdiag_diagnostic_duration_seconds')?.samples.length ?? 0, 0);
    assert.equal(valueOf(f, 'exdiag_diagnostics_finished_total', { status: 'cancelled', verdict: 'none' }), 1);
  });
});

describe('webhook delivery metrics', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let redis: ReturnType<typeof createRedis>;
  let dispatcher: WebhookDispatcher;
  let queue: Queue;
  let prefix: string;
  const settled = new EventEmitter();
  const registry = new client.Registry();

  before(async () => {
    receiver = await startReceiver([200, 500, 410]);
    dir = mkdtempSync(join(tmpdir(), 'exdiag-obs-'));
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [secret()] }]));
    prefix = `test-obs-${randomBytes(5).toString('hex')}`;
    const config = loadConfig({
      ...process.env, REDIS_PREFIX: prefix, CLIENTS_FILE: join(dir, 'clients.json'), API_KEYS: `alpha:${randomBytes(16).toString('hex')}`,
      WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWLIST: '127.0.0.1', WEBHOOK_RETRY_SCHEDULE: '0.1', WEBHOOK_TIMEOUT_MS: '3000',
    });
    redis = createRedis(config, 'worker');
    dispatcher = createWebhookDispatcher({
      config, connection: redis, log: pino({ level: 'silent' }), metrics: registerWebhookMetrics(registry),
      // "refused.test" resolves to a loopback address outside WEBHOOK_ALLOWLIST: refused before any connection.
      resolve: (host, cb) => (host === 'refused.test' ? cb(null, [{ address: '127.0.0.2', family: 4 }]) : cb(null, [{ address: '127.0.0.1', family: 4 }])),
    });
    const worker = dispatcher.startWorker();
    const track = (job: Job<DeliveryJobData> | undefined) => { if (job) settled.emit('settled'); };
    worker.on('completed', track);
    worker.on('failed', track);
    await worker.waitUntilReady();
    queue = new Queue('webhooks', { connection: redis, prefix });
  });

  after(async () => {
    await queue?.close();
    await dispatcher?.close();
    await deleteKeys(redis, `${prefix}:*`);
    await redis?.quit();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const finished = (url: string): DiagnosticRecord => ({
    id: `d_${randomBytes(8).toString('hex')}`, clientId: 'alpha', account: 'hooks@example.test', platform: 'lab', checks: ['mx'], locale: 'en',
    webhookUrl: url, status: 'completed', progress: { total: 1, completed: 1, running: [] }, results: [],
    verdict: 'healthy', causes: [], createdAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 1,
  });

  /** Enqueues the record's event and resolves once its job has ended for good. */
  async function deliver(record: DiagnosticRecord) {
    await dispatcher.enqueueFor(record);
    const jobId = messageIdFor(record, eventFor(record)!);
    const deadline = Date.now() + 15000;
    for (;;) {
      const state = await queue.getJobState(jobId);
      if (state === 'completed' || state === 'failed') return;
      assert.ok(Date.now() < deadline, `job ${jobId} still ${state}`);
      await once(settled, 'settled', { signal: AbortSignal.timeout(500) }).catch(() => undefined);
    }
  }

  it('counts delivered (200), retried (500), gone (410), not sent to a gone endpoint, and refused by the egress policy', async () => {
    const health = await startHealthServer({ port: 0, host: '127.0.0.1', redis, registry, isRunning: () => true });
    try {
      const scrape = async () => {
        const res = await fetch(`http://127.0.0.1:${health.port}/metrics`);
        assert.equal(res.status, 200);
        return parseExposition(await res.text());
      };
      const deliveries = (f: Awaited<ReturnType<typeof scrape>>, outcome: string, status_class: string) =>
        valueOf(f, 'exdiag_webhook_deliveries_total', { outcome, status_class }) ?? 0;

      await deliver(finished(receiver.url('/a')));
      let f = await scrape();
      assert.equal(deliveries(f, 'delivered', '2xx'), 1);
      assert.equal(valueOf(f, 'exdiag_webhook_delivery_duration_seconds_count', { status_class: '2xx' }), 1);

      // 500, retried after 0.1 s, then 410: one retry counted, then gone.
      await deliver(finished(receiver.url('/b')));
      f = await scrape();
      assert.equal(deliveries(f, 'retried', '5xx'), 1);
      assert.equal(deliveries(f, 'gone', '4xx'), 1);
      assert.equal(valueOf(f, 'exdiag_webhook_delivery_duration_seconds_count', { status_class: '5xx' }), 1);
      assert.equal(valueOf(f, 'exdiag_webhook_delivery_duration_seconds_count', { status_class: '4xx' }), 1);
      assert.deepEqual(receiver.hits.map((h) => h.path), ['/a', '/b', '/b']);

      // The same client's next event to the gone URL is not sent.
      await deliver(finished(receiver.url('/b')));
      f = await scrape();
      assert.equal(deliveries(f, 'gone', 'none'), 1);
      assert.equal(receiver.hits.length, 3, 'nothing sent to a gone endpoint');

      await deliver(finished('http://refused.test/hook'));
      f = await scrape();
      assert.equal(deliveries(f, 'refused', 'none'), 1);
      assert.equal(valueOf(f, 'exdiag_webhook_delivery_duration_seconds_count', { status_class: 'none' }), undefined, 'no exchange, no duration');
      assert.equal(deliveries(f, 'delivered', '2xx'), 1, 'earlier counts unchanged');
      assert.equal(receiver.hits.length, 3);
      assert.ok(receiver.hits.every((h) => h.headers.traceparent === undefined), 'no traceparent header while tracing is off');
    } finally {
      await health.close();
    }
  });
});

describe('OpenTelemetry tracing (OTLP/HTTP JSON)', () => {
  let dir: string;
  let s: Service;
  let otlp: Server;
  const exported: Buffer[] = [];
  const otlpRequests: Array<{ path: string; type: string }> = [];
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let dispatcher: WebhookDispatcher | undefined;
  let worker: DiagnosticWorker | undefined;

  before(async () => {
    assert.equal(tracingEnabled(), false, 'off by default');
    // A recording OTLP/HTTP receiver. Contract (https://opentelemetry.io/docs/specs/otlp/#otlphttp):
    // POST {endpoint}/v1/traces, body an ExportTraceServiceRequest (here JSON, optionally gzip);
    // full success is 200 with an ExportTraceServiceResponse in the request's content type.
    otlp = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        exported.push(req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw);
        otlpRequests.push({ path: req.url ?? '', type: String(req.headers['content-type']) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    otlp.listen(0, '127.0.0.1');
    await once(otlp, 'listening');
    assert.equal(await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(otlp.address() as AddressInfo).port}/`, OTEL_SERVICE_NAME: 'exdiag-test' }), true);
    hook = await startReceiver([200]);
    dir = mkdtempSync(join(tmpdir(), 'exdiag-otel-'));
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [secret()] }]));
    // Built after startTracing: the app registers its request hooks only when tracing is on.
    s = await startService({ ...FAST_RUNS, CLIENTS_FILE: join(dir, 'clients.json'), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWLIST: '127.0.0.1' }, { worker: false });
  });

  after(async () => {
    await worker?.close(0);
    await dispatcher?.close();
    await s?.close();
    await stopTracing();
    await hook?.close();
    otlp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: Array<{ key: string; value: Record<string, unknown> }>; links?: unknown[] }
  const spans = () => exported.flatMap((b) => (JSON.parse(b.toString()) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }> })
    .resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((sp) => ({ ...sp, service: rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue })))));
  const attr = (sp: OtlpSpan, key: string) => {
    const v = sp.attributes?.find((a) => a.key === key)?.value;
    return v ? Object.values(v)[0] : undefined;
  };

  it('one trace from POST /v1/diagnostics through the run and each check to the webhook; no secret exported', async () => {
    const password = `Tr4ce-${randomBytes(12).toString('hex')}`;
    const account = `trace-${randomBytes(4).toString('hex')}@metrics.test`;
    const r = await s.request.post('/v1/diagnostics').set(s.auth)
      .set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
      .send({ account, password, checks: ['account', 'mx', 'spf'], webhookUrl: hook.url('/traced') });
    assert.equal(r.status, 202, r.text);
    const id = r.body.id as string;

    // The queued job carries the POST span's traceparent next to the sealed password.
    const queue = new Queue<DiagnosticJobData>(DIAGNOSTICS_QUEUE, { connection: s.redis, prefix: s.config.REDIS_PREFIX });
    const job = await queue.getJob(id);
    await queue.close();
    assert.ok(job, 'job queued');
    assert.match(job.data.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const sealed = job.data.sealed;
    assert.ok(sealed.length > 20);

    dispatcher = createWebhookDispatcher({ config: s.config, connection: s.redis, log: pino({ level: 'silent' }) });
    const deliveries = dispatcher.startWorker();
    const delivered = once(deliveries, 'completed');
    worker = await startDiagnosticWorker({ config: s.config, logger: createLogger({ LOG_LEVEL: 'silent' }), onFinished: (rec) => dispatcher!.enqueueFor(rec) });
    await hook.waitForHits(1, 30000);
    await delivered;

    // Spans end right after the work they time: flush until the run's and the delivery's are out.
    const deadline = Date.now() + 15000;
    while (!['diagnostic.run', 'webhook.deliver'].every((n) => spans().some((sp) => sp.name === n && attr(sp, 'exdiag.diagnostic.id') === id))) {
      assert.ok(Date.now() < deadline, `spans exported: ${spans().map((sp) => sp.name).join(', ')}`);
      await flushTracing();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await flushTracing();
    assert.ok(otlpRequests.every((q) => q.path === '/v1/traces' && q.type.startsWith('application/json')), JSON.stringify(otlpRequests));

    const all = spans();
    const post = all.find((sp) => sp.name === 'POST /v1/diagnostics' && attr(sp, 'exdiag.diagnostic.id') === id);
    assert.ok(post, 'the API span');
    const traceId = post.traceId;
    assert.notEqual(traceId, '0af7651916cd43dd8448eb211c80319c', 'a caller\'s traceparent is linked, not adopted');
    assert.equal(post.links?.length, 1);
    assert.equal(post.kind, 2, 'SERVER');
    assert.equal(attr(post, 'http.response.status_code'), 202);
    assert.equal(job.data.traceparent, `00-${traceId}-${post.spanId}-01`);

    const trace = all.filter((sp) => sp.traceId === traceId);
    const run = trace.find((sp) => sp.name === 'diagnostic.run');
    assert.ok(run, 'the worker\'s run is in the trace');
    assert.equal(run.parentSpanId, post.spanId);
    assert.equal(attr(run, 'exdiag.diagnostic.status'), 'completed');
    const record = await s.waitFor(id, 'completed');
    assert.equal(attr(run, 'exdiag.verdict'), record.verdict);
    for (const c of record.results) {
      const cs = trace.find((sp) => sp.name === `check.${c.id}`);
      assert.ok(cs, `a span for check ${c.id}`);
      assert.equal(cs.parentSpanId, run.spanId);
      assert.equal(attr(cs, 'exdiag.check.status'), c.status);
      assert.equal(attr(cs, 'exdiag.check.code'), c.code);
    }
    const wh = trace.find((sp) => sp.name === 'webhook.deliver');
    assert.ok(wh, 'the webhook delivery is in the trace');
    assert.equal(wh.parentSpanId, run.spanId);
    assert.equal(wh.kind, 3, 'CLIENT');
    assert.equal(attr(wh, 'exdiag.webhook.outcome'), 'delivered');
    assert.equal(hook.hits[0].headers.traceparent, `00-${traceId}-${wh.spanId}-01`, 'the receiver gets the delivery span as its parent');
    assert.ok(trace.every((sp) => (sp as { service?: string }).service === 'exdiag-test'));

    const bytes = Buffer.concat(exported).toString();
    for (const form of [...secretForms(password), sealed, account]) assert.ok(!bytes.includes(form), `"${form.slice(0, 12)}…" is not exported`);
    assert.ok(!bytes.includes('/traced'), 'no webhook path (it may hold a token)');
  });
});
