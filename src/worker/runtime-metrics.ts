// What only the worker process itself can tell about how it copes with load, on its /metrics:
// event-loop delay (always on, perf_hooks) and its resolver's counters. A worker that runs a
// thousand diagnostics is healthy only while its loop keeps answering and DNS keeps up.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import client from 'prom-client';
import type { DnsStats } from '../net/dns.js';

export interface RuntimeMetricsOptions {
  registry: client.Registry;
  /** The checks' resolver counters (net/dns.ts `stats()`). */
  dnsStats?: () => DnsStats;
  /** Sampling interval of the loop monitor, ms (default 10). */
  resolutionMs?: number;
  /** `exdiag_worker_event_loop_delay_seconds` covers the last window of this length, ms (default 10 000). */
  windowMs?: number;
}

const QUANTILES = [0.5, 0.9, 0.99, 1] as const;

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

/** Registers the gauges and counters; `stop()` turns the loop monitor off (tests, shutdown). */
export function registerRuntimeMetrics(o: RuntimeMetricsOptions): { stop(): void } {
  const resolution = o.resolutionMs ?? 10;
  const windowMs = o.windowMs ?? 10_000;
  // Two monitors: one never reset (since start), one restarted every window. Each sample is the
  // time between two timer ticks, so the resolution itself is taken off: an idle loop reads ~0.
  const sinceStart = monitorEventLoopDelay({ resolution });
  let current = monitorEventLoopDelay({ resolution });
  let last: IntervalHistogram | undefined;
  sinceStart.enable();
  current.enable();
  const rotate = setInterval(() => {
    last?.disable();
    last = current;
    last.disable();
    current = monitorEventLoopDelay({ resolution });
    current.enable();
  }, windowMs);
  rotate.unref();

  const delay = (h: IntervalHistogram, q: number) => {
    if (!h.count) return 0;
    const ns = q === 1 ? h.max : h.percentile(q * 100);
    return Math.max(0, ns / 1e6 - resolution) / 1000;
  };
  new client.Gauge({
    name: 'exdiag_worker_event_loop_delay_seconds',
    help: `Event-loop delay of this worker over the last ${windowMs / 1000} s (perf_hooks, ${resolution} ms ticks; quantile 1 = max).`,
    labelNames: ['quantile'] as const, registers: [o.registry],
    collect() {
      // Before the first window has ended, the one in progress.
      const h = last ?? current;
      for (const q of QUANTILES) this.set({ quantile: String(q) }, delay(h, q));
    },
  });
  new client.Gauge({
    name: 'exdiag_worker_event_loop_delay_since_start_seconds',
    help: 'Event-loop delay of this worker since it started (perf_hooks; quantile 1 = max).',
    labelNames: ['quantile'] as const, registers: [o.registry],
    collect() {
      for (const q of QUANTILES) this.set({ quantile: String(q) }, delay(sinceStart, q));
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

  return {
    stop() {
      clearInterval(rotate);
      sinceStart.disable();
      current.disable();
      last?.disable();
    },
  };
}
