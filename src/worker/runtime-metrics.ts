// What only the worker process itself can tell about how it copes with load, on its /metrics:
// event-loop delay (always on, perf_hooks) and its resolver's counters. A worker that runs a
// thousand diagnostics is healthy only while its loop keeps answering and DNS keeps up.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import client from 'prom-client';
import type { DnsStats } from '../net/dns.js';
import type { ActiveGate } from './pacing.js';

export interface RuntimeMetricsOptions {
  registry: client.Registry;
  /** The checks' resolver counters (net/dns.ts `stats()`). */
  dnsStats?: () => DnsStats;
  /** The pacing gate of active runs (worker/pacing.ts). */
  gate?: Pick<ActiveGate, 'active' | 'waiting' | 'max'>;
  /** Sampling interval of the loop monitor, ms (default 10). */
  resolutionMs?: number;
  /** `exdiag_worker_event_loop_delay_max_seconds` covers this much recent time, ms (default 10 000). */
  maxWindowMs?: number;
}

/** Fine around the 10–100 ms that decide whether a worker keeps up. */
const BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2, 5];
const FLUSH_MS = 1000;

/** The DNS counters exposed, by stats() field. */
const DNS_COUNTERS: Array<[keyof DnsStats, string, string]> = [
  ['queries', 'exdiag_dns_queries_total', 'DNS questions asked by the checks of this process.'],
  ['cacheHits', 'exdiag_dns_cache_hits_total', 'DNS questions answered from this process\'s cache.'],
  ['coalesced', 'exdiag_dns_coalesced_total', 'DNS questions that joined an identical question already in flight.'],
  ['wire', 'exdiag_dns_wire_queries_total', 'DNS queries sent to a server (each try, UDP or TCP).'],
  ['tcp', 'exdiag_dns_tcp_answers_total', 'DNS answers that came over TCP (retry after truncation or a UDP timeout).'],
  ['errors', 'exdiag_dns_errors_total', 'DNS questions that ended in an error for the check (timeout, SERVFAIL, refused, …).'],
  ['queued', 'exdiag_dns_queued_total', 'DNS questions that waited for a free slot (DNS_MAX_CONCURRENT).'],
];

/** Registers the metrics; `stop()` turns the loop monitor off (tests, shutdown). */
export function registerRuntimeMetrics(o: RuntimeMetricsOptions): { stop(): void } {
  const resolution = o.resolutionMs ?? 10;
  const maxes: number[] = [];
  const keep = Math.max(1, Math.round((o.maxWindowMs ?? 10_000) / FLUSH_MS));
  // Each sample is the time between two timer ticks: the tick itself is taken off, so an idle loop reads ~0.
  const monitor = monitorEventLoopDelay({ resolution });
  monitor.enable();
  const delay = (ns: number) => Math.max(0, ns / 1e6 - resolution) / 1000;

  const histogram = new client.Histogram({
    name: 'exdiag_worker_event_loop_delay_seconds',
    help: `Event-loop delay of this worker: how late each ${resolution} ms timer tick ran (perf_hooks.monitorEventLoopDelay).`,
    buckets: BUCKETS, registers: [o.registry],
    collect: () => flush(),
  });
  // The monitor keeps an HDR histogram, not samples: each second its samples move into the
  // Prometheus histogram (the k-th of n is its k/n quantile, exact to HDR's 3 digits), then reset.
  const flush = () => {
    const n = monitor.count;
    for (let k = 1; k <= n; k++) histogram.observe(delay(monitor.percentile((100 * k) / n)));
    maxes.push(n ? delay(monitor.max) : 0);
    if (maxes.length > keep) maxes.shift();
    monitor.reset();
  };
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  new client.Gauge({
    name: 'exdiag_worker_event_loop_delay_max_seconds',
    help: `Longest event-loop delay of this worker over the last ${keep * FLUSH_MS / 1000} s.`,
    registers: [o.registry],
    collect() {
      this.set(Math.max(0, ...maxes));
    },
  });

  if (o.dnsStats) {
    const read = o.dnsStats;
    for (const [field, name, help] of DNS_COUNTERS) {
      // The truth is the resolver's own counter: set at each scrape.
      new client.Counter({
        name, help, registers: [o.registry],
        collect() {
          this.reset();
          this.inc(read()[field]);
        },
      });
    }
  }

  if (o.gate) {
    const gate = o.gate;
    // Read at each scrape: runs in their active phase, and runs queued behind them (WORKER_ACTIVE_MAX).
    new client.Gauge({
      name: 'exdiag_worker_active_runs', help: 'Diagnostic runs of this worker in their active phase (holding a WORKER_ACTIVE_MAX slot).',
      registers: [o.registry], collect() { this.set(gate.active); },
    });
    new client.Gauge({
      name: 'exdiag_worker_runs_waiting_for_slot', help: 'Diagnostic runs of this worker waiting for an active slot (their clock has not started).',
      registers: [o.registry], collect() { this.set(gate.waiting); },
    });
    new client.Gauge({
      name: 'exdiag_worker_active_max', help: 'WORKER_ACTIVE_MAX of this worker (0: no pacing).',
      registers: [o.registry], collect() { this.set(gate.max); },
    });
  }

  return {
    stop() {
      clearInterval(timer);
      monitor.disable();
    },
  };
}
