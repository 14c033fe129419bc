// The worker's own /metrics additions: event-loop delay as a histogram (a blocked loop shows as one
// late tick, an idle one reads ~0) and the resolver's counters as Prometheus counters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import client from 'prom-client';
import type { DnsStats } from '../../src/net/dns.js';
import { createActiveGate } from '../../src/worker/pacing.js';
import { registerRuntimeMetrics } from '../../src/worker/runtime-metrics.js';

const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
};

test('event-loop delay and DNS counters on the registry', async () => {
  const registry = new client.Registry();
  const stats: DnsStats = { queries: 7, cacheHits: 3, coalesced: 2, wire: 2, tcp: 1, errors: 0, queued: 4 };
  const m = registerRuntimeMetrics({ registry, dnsStats: () => stats });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    while (Date.now() - t < 120) { /* block the loop */ }
    await new Promise((r) => setTimeout(r, 50));
    const text = await registry.metrics();
    const count = sample(text, 'exdiag_worker_event_loop_delay_seconds_count');
    assert.ok(count >= 5, `samples ${count}`);
    // Only what holds on a loaded 2-core CI machine too: the 120 ms block is seen as one tick over
    // 100 ms, and the histogram is cumulative.
    assert.ok(sample(text, 'exdiag_worker_event_loop_delay_seconds_bucket{le="0.1"}') <= count - 1, 'the block is a late tick');
    assert.ok(sample(text, 'exdiag_worker_event_loop_delay_seconds_bucket{le="0.002"}') <= sample(text, 'exdiag_worker_event_loop_delay_seconds_bucket{le="0.1"}'));
    const max = sample(text, 'exdiag_worker_event_loop_delay_max_seconds');
    assert.ok(max >= 0.1, `max ${max}`);
    assert.equal(sample(text, 'exdiag_dns_queries_total'), 7);
    assert.equal(sample(text, 'exdiag_dns_tcp_answers_total'), 1);
    stats.queries = 9;
    assert.equal(sample(await registry.metrics(), 'exdiag_dns_queries_total'), 9, 'read at each scrape');
  } finally {
    m.stop();
  }
});

test('the pacing gate: active runs, runs waiting for a slot and the limit, read at each scrape', async () => {
  const registry = new client.Registry();
  const gate = createActiveGate(2);
  const m = registerRuntimeMetrics({ registry, gate });
  try {
    const a = await gate.acquire();
    const b = await gate.acquire();
    const third = gate.acquire();
    let text = await registry.metrics();
    assert.equal(sample(text, 'exdiag_worker_active_runs'), 2);
    assert.equal(sample(text, 'exdiag_worker_runs_waiting_for_slot'), 1);
    assert.equal(sample(text, 'exdiag_worker_active_max'), 2);
    a.release();
    const c = await third;
    text = await registry.metrics();
    assert.equal(sample(text, 'exdiag_worker_active_runs'), 2);
    assert.equal(sample(text, 'exdiag_worker_runs_waiting_for_slot'), 0);
    b.release(); c.release();
    assert.equal(sample(await registry.metrics(), 'exdiag_worker_active_runs'), 0);
  } finally {
    m.stop();
  }
});
