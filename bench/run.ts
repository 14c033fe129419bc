// `npm run bench`: the service's figures in the lab, as plain tables on stdout (progress on
// stderr). Starts the real API and a real worker as processes of their own on loopback, under a
// unique Redis prefix that is deleted at the end, whatever happens; bounded by BENCH_DEADLINE_MS.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { Redis } from 'ioredis';
import { freePort } from '../test/lab/free-port.js';
import { mailbox } from '../test/lab/scenarios.js';
import { createApiClient } from './api-client.js';
import { deletePrefix } from './cleanup.js';
import { runE2e, renderE2e } from './e2e.js';
import { assertLoopbackOnly, environmentLine } from './environment.js';
import { renderMemory, runBurst, sampleRss, type MemoryFigures } from './memory.js';
import { logMessage, startServiceProcess, type ServiceProcess } from './service-process.js';
import { mib } from './stats.js';
import { renderThroughput, runThroughput } from './throughput.js';

const num = (name: string, def: number) => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number >= 0`);
  return v;
};

const opts = {
  runs: num('BENCH_RUNS', 20),
  concurrency: Math.max(1, num('BENCH_CONCURRENCY', 32)),
  seconds: num('BENCH_SECONDS', 10),
  burst: num('BENCH_BURST', 50),
  deadlineMs: num('BENCH_DEADLINE_MS', 170_000),
};
const E2E_ACCOUNT = 'healthy@healthy.test';

const say = (m: string) => process.stderr.write(`bench: ${m}\n`);
const print = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<number> {
  assertLoopbackOnly(process.env);
  const started = Date.now();
  const left = () => opts.deadlineMs - (Date.now() - started);
  const prefix = `bench-${randomBytes(6).toString('hex')}`;
  const apiKey = `bench-${randomBytes(24).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'exdiag-bench-'));
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const procs: ServiceProcess[] = [];
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
    print(`env: ${await environmentLine(redis)}`);
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
      THROTTLE_MAX: '0',
      // The throughput figure posts thousands of diagnostics: no per-client rate or active cap.
      CLIENT_RATE_LIMIT_MAX: '0',
      CLIENT_MAX_ACTIVE: '0',
      PROVIDER: 'ovhcloud',
      DEFAULT_PLATFORM: 'lab',
    };
    print(`setup: API + worker as separate processes, REDIS_PREFIX=${prefix}, PROVIDER=ovhcloud, platform lab, THROTTLE_MAX=0, CLIENT_RATE_LIMIT_MAX=0, CLIENT_MAX_ACTIVE=0, logs in ${dir}`);
    print('');
    say('starting the API and the worker');
    const [api, worker] = await Promise.all([
      startServiceProcess({ name: 'api', entry: 'src/server.ts', env, logFile: join(dir, 'api.log'), readyLine: (l) => /"msg":"Server listening at /.test(l) }),
      startServiceProcess({ name: 'worker', entry: 'src/worker.ts', env, logFile: join(dir, 'worker.log'), readyLine: logMessage('diagnostics worker started') }),
    ]);
    procs.push(api, worker);
    const client = createApiClient(`http://127.0.0.1:${port}`, apiKey, agent);

    // Idle figure after a moment of quiet: start-up garbage is not the steady state.
    await new Promise((r) => setTimeout(r, 1000));
    const memory: MemoryFigures = { idle: await worker.rss(), afterE2e: NaN, e2ePeak: NaN, e2eRuns: 0 };

    say(`1. ${opts.runs} sequential healthy diagnostics of ${E2E_ACCOUNT}`);
    const sampler = sampleRss(() => worker.rss());
    const e2e = await runE2e(client, {
      account: E2E_ACCOUNT, password: mailbox(E2E_ACCOUNT).password, runs: opts.runs,
      budgetMs: Math.min(80_000, left() - 60_000), runTimeoutMs: 30_000,
    });
    memory.e2ePeak = await sampler.stop();
    memory.afterE2e = await worker.rss();
    memory.e2eRuns = e2e.totals.length;
    sections[1] = renderE2e(e2e, opts.runs);

    if (opts.burst > 0 && left() > 50_000) {
      say(`3. ${opts.burst} concurrent light diagnostics`);
      memory.burst = await runBurst(client, { count: opts.burst, account: throwaway, rss: () => worker.rss(), timeoutMs: Math.min(30_000, left() - 35_000) });
    }
    sections[3] = renderMemory(memory);

    // Figure 2 needs the queue undrained: the worker stops first.
    await worker.stop();
    const rows = [];
    for (const c of [...new Set([opts.concurrency, 1])]) {
      const durationMs = Math.min(opts.seconds * 1000, Math.max(1000, (left() - 15_000) / 2));
      say(`2. POST throughput, concurrency ${c}, ${(durationMs / 1000).toFixed(1)} s`);
      rows.push(await runThroughput({ origin: client.origin, apiKey, concurrency: c, durationMs, account: throwaway }));
    }
    sections[2] = `${renderThroughput(rows)}API process RSS after the throughput rows: ${mib(await api.rss())} MiB\n`;
    const errors = rows.reduce((n, r) => n + r.errors.size, 0);
    success = !overdue && !e2e.failures.length && !memory.burst?.failures.length && !errors;
    return success ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    // In the brief's order (the throughput rows run last: they need the worker stopped).
    for (const k of [1, 2, 3]) if (sections[k]) print(sections[k]);
    for (const p of procs) await p.stop().catch(() => undefined);
    await agent.close().catch(() => undefined);
    const { deleted, left: remaining } = await deletePrefix(redis, prefix);
    print(`cleanup: ${deleted} Redis keys under ${prefix}:* deleted, ${remaining} left; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await redis.quit().catch(() => redis.disconnect());
    // Logs of a failed bench stay for the post-mortem.
    if (success && process.env.BENCH_KEEP_LOGS !== '1') await rm(dir, { recursive: true, force: true });
    else say(`service logs kept in ${dir}`);
  }
}

main().then((code) => process.exit(code), (err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
