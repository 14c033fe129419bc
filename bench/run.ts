// `npm run bench`: the service's figures in the lab, as plain tables on stdout (progress on
// stderr). Starts the real API and real workers as processes of their own on loopback, under a
// unique Redis prefix that is deleted at the end, whatever happens; bounded by BENCH_DEADLINE_MS.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, Pool } from 'undici';
import { Redis } from 'ioredis';
import { freePort } from '../test/lab/free-port.js';
import { LOCK_DIR } from '../test/lab/lock.js';
import { mailbox } from '../test/lab/scenarios.js';
import { createApiClient } from './api-client.js';
import { deletePrefix } from './cleanup.js';
import { labRoots } from './cpu.js';
import { runE2e, renderE2e } from './e2e.js';
import { assertLoopbackOnly, environmentLine } from './environment.js';
import { sampleRss } from './memory.js';
import { benchOptions, type Part } from './options.js';
import { prepareServiceBuild, type ServiceBuild } from './build.js';
import { penaltyFailed, renderPenalty, runPenalty } from './penalty.js';
import { renderScale, runScale, scaleFailed, type PartContext, type ScaleResult } from './scale.js';
import { logMessage, startServiceProcess, type ServiceProcess } from './service-process.js';
import { mib } from './stats.js';
import { renderThroughput, reqPerSecond, runThroughput } from './throughput.js';

const opts = benchOptions();
const E2E_ACCOUNT = 'healthy@healthy.test';
/** Time a part needs at least, ms: later parts keep theirs when an earlier one runs long. */
const NEEDS: Record<Part, number> = { e2e: 30_000, scale: 60_000, penalty: 45_000, throughput: 2 * (opts.seconds + 1) * 1000 + 15_000 };

const say = (m: string) => process.stderr.write(`bench: ${m}\n`);
const print = (s: string) => process.stdout.write(`${s}\n`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<number> {
  assertLoopbackOnly(process.env);
  const started = Date.now();
  const left = () => opts.deadlineMs - (Date.now() - started);
  const has = (p: Part) => opts.parts.has(p);
  /** Time the parts after `p` still need. */
  const reserveAfter = (p: Part) => (['e2e', 'scale', 'penalty', 'throughput'] as Part[]).slice((['e2e', 'scale', 'penalty', 'throughput'] as Part[]).indexOf(p) + 1).filter(has).reduce((s, q) => s + NEEDS[q], 0);
  const prefix = `bench-${randomBytes(6).toString('hex')}`;
  const apiKey = `bench-${randomBytes(24).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'exdiag-bench-'));
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  const procs: ServiceProcess[] = [];
  let build: ServiceBuild | undefined;
  let serial = 0;
  const throwaway = () => `bench-${++serial}@healthy.test`;

  // Past the deadline, stop the service processes: whatever awaits them fails and cleanup runs.
  let overdue = false;
  let success = false;
  const sections: Record<number, string> = {};
  const watchdog = setTimeout(() => {
    overdue = true;
    say(`deadline of ${opts.deadlineMs} ms reached: stopping`);
    for (const p of procs) void p.stop(0);
    void agent.destroy();
    // Last resort if something still hangs: the bench must end.
    setTimeout(() => { say('still running 20 s after the deadline: exiting'); process.exit(1); }, 20_000).unref();
  }, opts.deadlineMs);

  try {
    print(`# exchange-diagnostics bench — ${new Date().toISOString()}`);
    print(`env: ${await environmentLine(redis)} | load ${load()}`);
    const port = await freePort();
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      REDIS_PREFIX: prefix,
      SEAL_KEY: randomBytes(32).toString('base64'),
      API_KEYS: `bench:${apiKey}`,
      WORKER_HTTP_PORT: '0',
      // One client posts thousands of diagnostics and follows many at once: no throttle (per
      // account, per client and per account across clients), no rate or active cap, no stream cap.
      THROTTLE_MAX: '0',
      THROTTLE_ACCOUNT_MAX: '0',
      CLIENT_RATE_LIMIT_MAX: '0',
      CLIENT_MAX_ACTIVE: '0',
      SSE_MAX_PER_CLIENT: '0',
      PROVIDER: 'ovhcloud',
      DEFAULT_PLATFORM: 'lab',
    };
    const svc = await prepareServiceBuild(process.env, say);
    build = svc;
    print(`setup: API and workers as separate processes; ${svc.describe}; LOG_LEVEL=info, REDIS_PREFIX=${prefix}, PROVIDER=ovhcloud, platform lab; `
      + 'THROTTLE_MAX=0 THROTTLE_ACCOUNT_MAX=0 CLIENT_RATE_LIMIT_MAX=0 CLIENT_MAX_ACTIVE=0 SSE_MAX_PER_CLIENT=0 (limits off: one client drives every figure); '
      + `parts ${[...opts.parts].join(',')}; logs in ${dir}`);
    print('');
    say('starting the API');
    const api = await startServiceProcess({ name: 'api', entry: svc.entry('src/server.ts'), env, logFile: join(dir, 'api.log'), readyLine: (l) => /"msg":"Server listening at /.test(l) });
    procs.push(api);
    const client = createApiClient(`http://127.0.0.1:${port}`, apiKey, agent);
    const startWorker = async (name: string, extra: Record<string, string> = {}) => {
      const wport = await freePort();
      const proc = await startServiceProcess({
        name, entry: svc.entry('src/worker.ts'),
        env: { ...env, WORKER_CONCURRENCY: String(opts.workerConcurrency), WORKER_HTTP_PORT: String(wport), ...extra },
        // e.g. --cpu-prof --cpu-prof-dir=/tmp/prof: a look at where a worker's time goes.
        nodeArgs: (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
        logFile: join(dir, `${name}.log`), readyLine: logMessage('worker health listener started (/livez, /readyz, /metrics)'),
      });
      procs.push(proc);
      return { proc, metricsUrl: `http://127.0.0.1:${wport}/metrics` };
    };
    let failed = false;

    if (has('e2e')) {
      say(`1. ${opts.runs} sequential healthy diagnostics of ${E2E_ACCOUNT}`);
      const w = await startWorker('worker-e2e');
      await new Promise((r) => setTimeout(r, 1000));
      const idle = await w.proc.rss();
      const sampler = sampleRss(() => w.proc.rss());
      const e2e = await runE2e(client, {
        account: E2E_ACCOUNT, password: mailbox(E2E_ACCOUNT).password, runs: opts.runs,
        budgetMs: Math.max(5_000, Math.min(80_000, left() - reserveAfter('e2e') - 20_000)), runTimeoutMs: 30_000,
      });
      const peak = await sampler.stop();
      sections[1] = renderE2e(e2e, opts.runs, { idle, peak, after: await w.proc.rss() });
      await w.proc.stop();
      failed ||= e2e.failures.length > 0;
    }

    const postVia = new Pool(`http://127.0.0.1:${port}`, { connections: 32 });
    const ctx: PartContext = {
      api: client, dispatcher: agent, postVia, startWorker, say,
      cpuRoots: async (w) => ({
        'worker (ours)': [w.proc.pid, 'tree'], 'API (ours)': [api.pid, 'tree'], 'bench (load generator)': [process.pid, 'self'],
        ...(await labRoots(process.env.LAB_DIR, join(LOCK_DIR, 'pid'))),
      }),
    };
    if (has('scale')) {
      const rows: ScaleResult[] = [];
      for (const [i, n] of opts.scale.entries()) {
        const timeoutMs = Math.min(150_000, left() - reserveAfter('scale') - 20_000);
        if (timeoutMs < 20_000) { say(`3. N=${n}: skipped, the deadline is near`); failed = true; continue; }
        say(`3. N=${n} diagnostics that wait on mail, at once (load ${load()})`);
        const r = await runScale(ctx, n, { sender: `scale-${prefix}-${i}@diagnostics.test`, timeoutMs, warmup: { account: E2E_ACCOUNT, password: mailbox(E2E_ACCOUNT).password } });
        rows.push(r);
        failed ||= scaleFailed(r);
        say(`   N=${n}: ${r.f.completed}/${n} completed, wall ${(r.f.wallMs / 1000).toFixed(1)} s, peak RSS ${mib(r.rss.peak)} MiB`);
      }
      sections[3] = renderScale(rows, opts.workerConcurrency);
    }

    if (has('penalty')) {
      say(`4. auth penalty: ${opts.penaltyRuns} healthy, ${opts.penaltyFailures} wrong passwords, ${opts.penaltyRuns} healthy`);
      const r = await runPenalty(ctx, {
        runs: opts.penaltyRuns, failures: opts.penaltyFailures, sender: `penalty-${prefix}@diagnostics.test`,
        timeoutMs: Math.max(10_000, Math.min(60_000, (left() - reserveAfter('penalty') - 10_000) / 3)),
      });
      sections[4] = renderPenalty(r);
      failed ||= penaltyFailed(r);
    }
    await postVia.close();

    // Last: it leaves thousands of diagnostics queued that no worker may run.
    if (has('throughput')) {
      const bport = await freePort();
      const bare = await startServiceProcess({
        name: 'bare-api', entry: svc.entry('bench/bare-api.ts'), env: { ...env, PORT: String(bport) },
        logFile: join(dir, 'bare-api.log'), readyLine: (l) => /"msg":"Server listening at /.test(l),
      });
      procs.push(bare);
      const durationMs = Math.max(1000, Math.min(opts.seconds * 1000, (left() - 15_000) / 2 - 2000));
      const rows = [];
      for (const [label, origin] of [['bare: parse + queue.add', `http://127.0.0.1:${bport}`], ['POST /v1/diagnostics', client.origin]] as const) {
        say(`2. ${label}: ${opts.concurrency} connections, ${(durationMs / 1000).toFixed(1)} s after 1 s of warm-up (load ${load()})`);
        rows.push(await runThroughput({ label, origin, apiKey, concurrency: opts.concurrency, durationMs, warmupMs: 1000, account: throwaway }));
      }
      await bare.stop();
      const ratio = reqPerSecond(rows[1]) / reqPerSecond(rows[0]);
      sections[2] = `${renderThroughput(rows, '2. Enqueue throughput: POST /v1/diagnostics (API process, no worker) against the bare limit, same Redis, same run')}`
        + `ratio POST /v1/diagnostics / bare: ${(100 * ratio).toFixed(0)} %\n`
        + `API process RSS after its row: ${mib(await api.rss())} MiB\n`;
      failed ||= rows.some((r) => r.errors.size > 0);
    }
    success = !overdue && !failed;
    return success ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    for (const k of [1, 2, 3, 4]) if (sections[k]) print(sections[k]);
    for (const p of procs) await p.stop().catch(() => undefined);
    await agent.close().catch(() => undefined);
    const { deleted, left: remaining } = await deletePrefix(redis, prefix);
    print(`cleanup: ${deleted} Redis keys under ${prefix}:* deleted, ${remaining} left; total ${((Date.now() - started) / 1000).toFixed(1)} s; load ${load()}`);
    await redis.quit().catch(() => redis.disconnect());
    await build?.remove().catch(() => undefined);
    // Logs of a failed bench stay for the post-mortem.
    if (success && process.env.BENCH_KEEP_LOGS !== '1') await rm(dir, { recursive: true, force: true });
    else say(`service logs kept in ${dir}`);
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
