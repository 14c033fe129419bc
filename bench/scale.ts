// Figure 3: N diagnostics that really wait on mail, all at once, in one worker process. Every
// mailbox is a bulk.test one (test/lab/bulk.ts) whose MX greylists each new (client, sender,
// recipient) for 3 s, so each receive check delivers, meets a 4xx, retries and waits in IDLE. Each
// N gets a fresh worker (its RSS, CPU, event-loop and DNS figures are that N's alone) and a fresh
// envelope sender (so the greylist sees new triplets).
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { CHECK_IDS } from '../src/diagnostics/types.js';
import type { DnsStats } from '../src/net/dns.js';
import { bulkAddress, findBulkMailbox } from '../test/lab/bulk.js';
import type { ApiClient } from './api-client.js';
import { cpuDelta, cpuSample, listenOverflows, type CpuRoots } from './cpu.js';
import { counts, fetchAll, figures, postBatch, waitForCount, type BatchFigures } from './batch.js';
import { sampleRss } from './memory.js';
import { histogramQuantile, scrape, total, value } from './prometheus.js';
import type { ServiceProcess } from './service-process.js';
import { mib, ms, summarize } from './stats.js';
import { table } from './table.js';

export interface BenchWorker {
  proc: ServiceProcess;
  /** Its /metrics URL (WORKER_HTTP_PORT). */
  metricsUrl: string;
}

export interface PartContext {
  api: ApiClient;
  /** For scrapes and reads. */
  dispatcher: Dispatcher;
  /** Connections the POSTs of a batch share. */
  postVia: Dispatcher;
  /** Starts a worker process with these extra env entries (ready once it serves /metrics). */
  startWorker(name: string, env: Record<string, string>): Promise<BenchWorker>;
  say(m: string): void;
  /** Processes whose CPU time a figure accounts for, with this worker among them. */
  cpuRoots(worker: BenchWorker): Promise<CpuRoots>;
}

/** Diagnostics this worker has ended so far, all statuses (its /metrics: each process counts its own). */
export async function finishedBy(ctx: PartContext, w: BenchWorker): Promise<number> {
  return total(await scrape(ctx.dispatcher, w.metricsUrl), 'exdiag_diagnostics_finished_total');
}

const DNS_FIELDS: Array<[keyof DnsStats, string]> = [
  ['queries', 'exdiag_dns_queries_total'], ['cacheHits', 'exdiag_dns_cache_hits_total'], ['coalesced', 'exdiag_dns_coalesced_total'],
  ['wire', 'exdiag_dns_wire_queries_total'], ['tcp', 'exdiag_dns_tcp_answers_total'], ['errors', 'exdiag_dns_errors_total'], ['queued', 'exdiag_dns_queued_total'],
];

export interface ScaleResult {
  n: number;
  f: BatchFigures;
  rss: { idle: number; peak: number; after: number };
  /** Largest V8 heap in use seen on the worker's /metrics (scraped every second), bytes. */
  heapPeak: number;
  cpuSeconds: number;
  /** Event-loop delay while the N ran (the worker's histogram between two scrapes; max: its 10-s max gauge), ms. */
  loop: { p50: number; p99: number; max: number };
  /** DNS counters of the worker during this N. */
  dns: Record<keyof DnsStats, number>;
  /** All accepted diagnostics finished before the phase's time ran out. */
  inTime: boolean;
  /** CPU seconds by process (group) from the first POST to the last finish, and that interval, s. */
  cpu: Array<[string, number]>;
  intervalS: number;
  /** Connections dropped by a full accept queue meanwhile (machine-wide). */
  overflows: number;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const LOOP = 'exdiag_worker_event_loop_delay_seconds';
/** The worker's exdiag_worker_event_loop_delay_max_seconds window (src/worker/runtime-metrics.ts). */
const MAX_WINDOW_MS = 10_000;

export interface ScaleOptions {
  /** Envelope sender of the run (TEST_MAIL_FROM): new greylist triplets. */
  sender: string;
  timeoutMs: number;
  /** One diagnostic run first, so that module loading and JIT are not counted (default: none). */
  warmup?: { account: string; password: string };
}

export async function runScale(ctx: PartContext, n: number, o: ScaleOptions): Promise<ScaleResult> {
  const w = await ctx.startWorker(`worker-n${n}`, { TEST_MAIL_FROM: o.sender });
  try {
    if (o.warmup) {
      const d = await ctx.api.post({ ...o.warmup, checks: [...CHECK_IDS], metadata: { bench: 'warm-up' } });
      if (d.status !== 202) throw new Error(`warm-up POST answered ${d.status}`);
      await ctx.api.waitFinished(d.body.id, 30_000);
    }
    // The worker's max gauge covers its last 10 s: read it only once that excludes start-up and warm-up.
    const clean = performance.now() + MAX_WINDOW_MS + 500;
    // Start-up garbage settles first: idle is the steady state before the burst.
    await sleep(1000);
    const idle = await w.proc.rss();
    const cpu0 = await w.proc.cpuSeconds();
    const m0 = await scrape(ctx.dispatcher, w.metricsUrl);
    const base = await finishedBy(ctx, w);
    const rss = sampleRss(() => w.proc.rss(), 50);
    let loopMax = 0;
    let heapPeak = value(m0, 'nodejs_heap_size_used_bytes');
    let sampling = true;
    const windows = (async () => {
      while (sampling) {
        const m = await scrape(ctx.dispatcher, w.metricsUrl).catch(() => undefined);
        if (m && performance.now() >= clean) {
          loopMax = Math.max(loopMax, value(m, 'exdiag_worker_event_loop_delay_max_seconds') * 1000);
          heapPeak = Math.max(heapPeak, value(m, 'nodejs_heap_size_used_bytes'));
        }
        await sleep(1000);
      }
    })();

    const roots = await ctx.cpuRoots(w);
    const cpuA = await cpuSample(roots);
    const overflowsA = await listenOverflows();
    const t0 = performance.now();
    const bodies = Array.from({ length: n }, (_, k) => {
      const account = bulkAddress(k + 1);
      return { account, password: findBulkMailbox(account)!.password, checks: [...CHECK_IDS], metadata: { bench: 'scale', n } };
    });
    ctx.say(`   posting ${n} diagnostics`);
    const posted = await postBatch(ctx.api, bodies, ctx.postVia, 32);
    const accepted = posted.filter((p) => p.id).length;
    ctx.say(`   ${accepted} accepted; waiting for them to finish`);
    const done = await waitForCount(() => finishedBy(ctx, w), base, accepted, performance.now() + o.timeoutMs);
    const cpuB = await cpuSample(roots);
    const overflows = (await listenOverflows()) - overflowsA;
    const intervalS = (performance.now() - t0) / 1000;
    sampling = false;
    await windows;
    const peak = await rss.stop();
    if (performance.now() < clean) await sleep(clean - performance.now());
    const m1 = await scrape(ctx.dispatcher, w.metricsUrl);
    loopMax = Math.max(loopMax, value(m1, 'exdiag_worker_event_loop_delay_max_seconds') * 1000);
    const cpuSeconds = (await w.proc.cpuSeconds()) - cpu0;
    const after = await w.proc.rss();
    const records = await fetchAll(ctx.api, posted.filter((p) => p.id).map((p) => p.id!));
    const dns = Object.fromEntries(DNS_FIELDS.map(([k, name]) => [k, value(m1, name) - value(m0, name)])) as Record<keyof DnsStats, number>;
    return {
      n, f: figures(posted, records), rss: { idle, peak, after }, heapPeak, cpuSeconds, dns, inTime: done >= accepted,
      cpu: cpuDelta(cpuA, cpuB), intervalS, overflows,
      loop: { p50: histogramQuantile(m0, m1, LOOP, 0.5) * 1000, p99: histogramQuantile(m0, m1, LOOP, 0.99) * 1000, max: loopMax },
    };
  } finally {
    await w.proc.stop();
  }
}

const loopMs = (v: number) => (v === Infinity ? '>5000' : ms(v));
const sec = (v: number) => (Number.isFinite(v) ? (v / 1000).toFixed(1) : '-');

export function renderScale(rows: ScaleResult[], concurrency: number): string {
  let out = table(`3. Diagnostics that wait on mail: N at once, one worker process (WORKER_CONCURRENCY=${concurrency}), every check, bulk.test (MX greylists each new recipient for 3 s)`,
    ['N', 'completed', 'wall s', 'POST->finished p50 s', 'p95 s', 'max s', 'queue wait p95 s', 'peak in flight', 'peak active', 'worker CPU s'],
    rows.map((r) => {
      const l = summarize(r.f.latencies);
      const q = summarize(r.f.queueMs);
      return [r.n, `${r.f.completed}/${r.n}`, sec(r.f.wallMs), sec(l.p50), sec(l.p95), sec(l.max), sec(q.p95), r.f.peakInFlight, r.f.peakActive, r.cpuSeconds.toFixed(1)];
    }));
  out += table('3b. Worker memory and event loop during each N (fresh worker per N)',
    ['N', 'RSS idle MiB', 'RSS peak MiB', 'RSS after MiB', 'KiB per in-flight', 'heap used peak MiB', 'loop delay p50 ms', 'p99 ms', 'max ms'],
    rows.map((r) => {
      const per = r.f.peakInFlight ? (r.rss.peak - r.rss.idle) / 1024 / r.f.peakInFlight : NaN;
      return [r.n, mib(r.rss.idle), mib(r.rss.peak), mib(r.rss.after), Number.isFinite(per) ? per.toFixed(0) : '-', mib(r.heapPeak), ms(r.loop.p50), loopMs(r.loop.p99), ms(r.loop.max)];
    }));
  out += table('3c. Per check durationMs, p50 / p95 (ms)', ['check', ...rows.map((r) => `N=${r.n}`)],
    CHECK_IDS.map((c) => [c, ...rows.map((r) => {
      const s = summarize(r.f.perCheck.get(c) ?? []);
      return s.n ? `${ms(s.p50)} / ${ms(s.p95)}` : '-';
    })]));
  out += table('3d. DNS of the worker during each N (its resolver\'s counters, read from its /metrics)',
    ['N', 'queries', 'cache hits', 'coalesced', 'wire queries', 'TCP answers', 'DNS errors', 'queued', 'answered locally %'],
    rows.map((r) => {
      const d = r.dns;
      const local = d.queries ? (100 * (d.cacheHits + d.coalesced)) / d.queries : NaN;
      return [r.n, d.queries, d.cacheHits, d.coalesced, d.wire, d.tcp, d.errors, d.queued, Number.isFinite(local) ? local.toFixed(1) : '-'];
    }));
  out += table('3e. Where the receive wait goes (its evidence; from the first delivery attempt, s, p50 / p95)',
    ['N', 'delivery attempts p50', 'MX accepted', 'first IMAP EXISTS', 'found in INBOX', 'MAIL_DELAYED (> 15 s)'],
    rows.map((r) => {
      const x = r.f.receive;
      const pp = (v: number[]) => { const s = summarize(v); return s.n ? `${sec(s.p50)} / ${sec(s.p95)}` : '-'; };
      return [r.n, summarize(x.attempts).p50, pp(x.acceptedMs), pp(x.firstExistsMs), pp(x.foundMs), r.f.notPassed.get('receive:warn:MAIL_DELAYED') ?? 0];
    }));
  const names = [...new Set(rows.flatMap((r) => r.cpu.map(([k]) => k)))];
  out += table('3f. Where the machine\'s CPU went during each N (CPU seconds, first POST → last finish; 2 cores = 2 s per s)',
    ['process', ...rows.map((r) => `N=${r.n}`)],
    [...names.map((k) => [k, ...rows.map((r) => { const v = r.cpu.find(([x]) => x === k)?.[1]; return v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(1); })]),
      ['(interval, s)', ...rows.map((r) => r.intervalS.toFixed(1))],
      ['(listen-queue overflows, machine-wide)', ...rows.map((r) => (Number.isFinite(r.overflows) ? r.overflows : '-'))]]);
  const notes: string[] = [];
  for (const r of rows) {
    notes.push(`N=${r.n}: verdicts ${counts(r.f.verdicts)}; checks not passed: ${counts(r.f.notPassed)}`);
    for (const [k, m] of r.f.examples) notes.push(`N=${r.n}:   e.g. ${k}: ${m.length > 160 ? `${m.slice(0, 160)}…` : m}`);
    if (!r.inTime) notes.push(`N=${r.n}: FAILED not every diagnostic finished in time`);
    for (const e of r.f.errors.slice(0, 10)) notes.push(`N=${r.n}: FAILED ${e}`);
    if (r.f.errors.length > 10) notes.push(`N=${r.n}: … ${r.f.errors.length - 10} more`);
  }
  return `${out}${notes.join('\n')}\n`;
}

/** A scale row is a success when every diagnostic completed, none inconclusive. */
export const scaleFailed = (r: ScaleResult) => !r.inTime || r.f.errors.length > 0 || r.f.completed < r.n || (r.f.verdicts.get('inconclusive') ?? 0) > 0;
