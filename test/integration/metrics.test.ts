// Prometheus metrics as naive PromQL reads them, with two API replicas and a worker on one Redis:
// Node's default metrics under their standard names; outcome counters that count what each process
// ended, so a sum over instances is the total; queue depth only on /metrics/cluster (scraped once).
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import client from 'prom-client';
import supertest from 'supertest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { createLogger } from '../../src/logging.js';
import { registerOutcomeMetrics } from '../../src/metrics.js';
import { startDiagnosticWorker } from '../../src/worker/create-worker.js';
import { startService, type Service } from '../helpers/service.js';

/** The value of one sample (`name{labels} value`), or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics across replicas', () => {
  let s: Service;
  let replica: FastifyInstance;
  const get = (app: FastifyInstance, path: string) => supertest(app.server).get(path);

  before(async () => {
    // Without the lab, DNS points at a closed port: runs end quickly with DNS errors.
    s = await startService(process.env.LAB_DIR ? { PROVIDER: 'none' } : { DNS_SERVERS: '127.0.0.1:9' }, { worker: false });
    replica = await buildApp({ config: s.config, logger: createLogger({ LOG_LEVEL: 'silent' }) });
    await replica.ready();
  });
  after(async () => {
    await replica?.close();
    await s?.close();
  });

  it('default metrics carry their standard names; /metrics has no cluster-wide series', async () => {
    const m = await get(s.app, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /^process_cpu_user_seconds_total \d/m);
    assert.match(m.text, /^process_resident_memory_bytes \d/m);
    assert.match(m.text, /^nodejs_heap_size_used_bytes \d/m);
    assert.doesNotMatch(m.text, /^exdiag_(process|nodejs)_/m, 'no prefix on default metrics');
    assert.doesNotMatch(m.text, /exdiag_queue_jobs/, 'queue depth is not per process');
    assert.match(m.text, /^# TYPE exdiag_diagnostics_finished_total counter$/m);
  });

  it('queue depth is on /metrics/cluster, the same from every replica', async () => {
    const before1 = sample((await get(s.app, '/metrics/cluster')).text, 'exdiag_queue_jobs{state="waiting"}') ?? 0;
    const r = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'depth@metrics.test', password: 'p', checks: ['mx'] });
    assert.equal(r.status, 202);
    const a = await get(s.app, '/metrics/cluster');
    const b = await get(replica, '/metrics/cluster');
    assert.equal(a.status, 200);
    assert.match(a.headers['content-type'], /^text\/plain/);
    assert.equal(sample(a.text, 'exdiag_queue_jobs{state="waiting"}'), before1 + 1);
    assert.equal(sample(b.text, 'exdiag_queue_jobs{state="waiting"}'), before1 + 1);
    assert.doesNotMatch(a.text, /^process_|^nodejs_|exdiag_http_/m, 'only cluster-wide series');
    await s.request.delete(r.headers.location).set(s.auth);
  });

  it('a diagnostic ended by one replica is counted by that replica only: the sum over replicas is 1', async () => {
    const series = 'exdiag_diagnostics_finished_total{status="cancelled",verdict="none"}';
    const count = async () => [sample((await get(s.app, '/metrics')).text, series) ?? 0, sample((await get(replica, '/metrics')).text, series) ?? 0];
    const [a0, b0] = await count();
    const r = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'sum@metrics.test', password: 'p', checks: ['mx'] });
    assert.equal(r.status, 202);
    // The replica cancels the queued diagnostic: it ends it, so it counts it.
    const del = await supertest(replica.server).delete(r.headers.location).set(s.auth);
    assert.equal(del.status, 200);
    const [a1, b1] = await count();
    assert.equal(a1 - a0, 0, 'the other replica did not count it');
    assert.equal(b1 - b0, 1, 'the replica that ended it did');
  });

  it('a worker counts the diagnostics it ends, with their check outcomes, on its own registry', async () => {
    const registry = new client.Registry();
    // onFinished runs after the finisher counted the run: wait for it, not for the record.
    const ended = new Map<string, DiagnosticRecord>();
    const events = new EventEmitter();
    const worker = await startDiagnosticWorker({
      config: s.config, logger: createLogger({ LOG_LEVEL: 'silent' }), outcomes: registerOutcomeMetrics(registry),
      onFinished: async (rec) => { ended.set(rec.id, rec); events.emit('ended', rec.id); },
    });
    const endOf = async (id: string) => {
      while (!ended.has(id)) await once(events, 'ended', { signal: AbortSignal.timeout(30000) });
      return ended.get(id)!;
    };
    try {
      const r = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'worker@metrics.test', password: 'p', checks: ['mx'] });
      assert.equal(r.status, 202);
      const done = await endOf(r.body.id);
      const text = await registry.metrics();
      assert.equal(sample(text, `exdiag_diagnostics_finished_total{status="${done.status}",verdict="${done.verdict ?? 'none'}"}`), 1);
      const mx = done.results.find((c) => c.id === 'mx')!;
      assert.equal(sample(text, `exdiag_check_results_total{check="mx",status="${mx.status}",code="${mx.code ?? 'none'}"}`), 1);
      for (const app of [s.app, replica]) {
        assert.doesNotMatch((await get(app, '/metrics')).text, /^exdiag_diagnostics_finished_total\{status="(completed|failed)"/m, 'no API counts the worker\'s run');
      }
    } finally {
      await worker.close(0);
    }
  });
});

describe('/metrics/cluster behind METRICS_TOKEN', () => {
  it('wants the token like /metrics', async () => {
    const token = 'cluster-metrics-token-0001';
    const s = await startService({ METRICS_TOKEN: token }, { worker: false });
    try {
      assert.equal((await s.request.get('/metrics/cluster')).status, 401);
      assert.equal((await s.request.get('/metrics/cluster').set(s.auth)).status, 401, 'an API key is not the metrics token');
      const ok = await s.request.get('/metrics/cluster').set('authorization', `Bearer ${token}`);
      assert.equal(ok.status, 200);
      assert.match(ok.text, /exdiag_queue_jobs\{state="waiting"\} \d+/);
    } finally {
      await s.close();
    }
  });
});
