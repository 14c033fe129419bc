// Where the API's CPU goes on the enqueue path: figure 2 on its own (the bare row, then POST
// /v1/diagnostics, same Redis, same run, the same settings as bench/run.ts), with the API process
// under `node --cpu-prof`; then a summary of its profile over the measured POST window only: self
// time by package / source file and the heaviest functions. Runs under the lab like the bench:
//   timeout 300 npx tsx test/lab/with-lab.ts -- tsx bench/profile-api.ts
// BENCH_CONCURRENCY, BENCH_SECONDS as for the bench; BENCH_PROFILE=0 measures without the profiler
// (the profiler itself costs the API some throughput); BENCH_PROFILE_DIR keeps the .cpuprofile;
// BENCH_BASELINE_TREE=<copy of the repository> runs that tree's API too, rows alternating (A/B on
// one machine state), BENCH_ROUNDS times (default 2 with a baseline, else 1).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../test/lab/free-port.js';
import { LOCK_DIR } from '../test/lab/lock.js';
import { deletePrefix } from './cleanup.js';
import { cpuDelta, cpuSample, labRoots, type CpuRoots, type CpuSample } from './cpu.js';
import { assertLoopbackOnly } from './environment.js';
import { benchOptions } from './options.js';
import { startServiceProcess } from './service-process.js';
import { renderThroughput, reqPerSecond, runThroughput } from './throughput.js';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** Where a frame belongs: an npm package, one of our files, Node's internals, or V8 (GC, idle, program). */
function owner(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  const bench = url.indexOf('/bench/');
  return bench >= 0 ? url.slice(bench + 1) : url;
}

/**
 * Self time of a profile between two wall-clock instants (µs, the profile's clock), by owner and
 * by function; also "inclusive" time of some owners (time with one of their frames on the stack).
 */
export function summarizeProfile(p: CpuProfile, fromUs = -Infinity, toUs = Infinity, top = 30): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const fns = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < fromUs || t > toUs) continue;
    const dt = p.timeDeltas[i + 1] ?? 0;
    const n = byId.get(p.samples[i])!;
    const o = owner(n.callFrame.url, n.callFrame.functionName);
    total += dt;
    self.set(o, (self.get(o) ?? 0) + dt);
    const f = `${n.callFrame.functionName || '(anonymous)'} ${o}:${n.callFrame.lineNumber + 1}`;
    fns.set(f, (fns.get(f) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      const key = owner(cf.url, cf.functionName);
      if (!seen.has(key)) { seen.add(key); inclusive.set(key, (inclusive.get(key) ?? 0) + dt); }
    }
  }
  const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)} %`;
  const rows = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${pct(v)}  ${k}`).join('\n');
  return [
    `profile window ${(total / 1e6).toFixed(1)} s of samples`,
    'self time by package / file:', rows(self, top),
    'inclusive time (a frame of it on the stack):', rows(inclusive, top),
    'self time by function:', rows(fns, top),
  ].join('\n');
}

async function main(): Promise<number> {
  assertLoopbackOnly(process.env);
  const opts = benchOptions();
  const profiling = process.env.BENCH_PROFILE !== '0';
  const prefix = `bench-${randomBytes(6).toString('hex')}`;
  const apiKey = `bench-${randomBytes(24).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'exdiag-profile-'));
  const profDir = process.env.BENCH_PROFILE_DIR ?? join(dir, 'prof');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  let serial = 0;
  const throwaway = () => `bench-${++serial}@healthy.test`;
  const port = await freePort();
  const bport = await freePort();
  // The bench's settings (bench/run.ts).
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), REDIS_PREFIX: prefix,
    SEAL_KEY: randomBytes(32).toString('base64'), API_KEYS: `bench:${apiKey}`, WORKER_HTTP_PORT: '0',
    THROTTLE_MAX: '0', THROTTLE_ACCOUNT_MAX: '0', CLIENT_RATE_LIMIT_MAX: '0', CLIENT_MAX_ACTIVE: '0', SSE_MAX_PER_CLIENT: '0',
    PROVIDER: 'ovhcloud', DEFAULT_PLATFORM: 'lab',
  };
  const listening = (l: string) => /"msg":"Server listening at /.test(l);
  const api = await startServiceProcess({
    name: 'api', entry: 'src/server.ts', env, logFile: join(dir, 'api.log'), readyLine: listening,
    nodeArgs: profiling ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  });
  const bare = await startServiceProcess({ name: 'bare-api', entry: 'bench/bare-api.ts', env: { ...env, PORT: String(bport) }, logFile: join(dir, 'bare-api.log'), readyLine: listening });
  // A/B: BENCH_BASELINE_TREE names a copy of the repository (another version of src/); its API runs
  // next to this one on the same Redis, and their rows alternate, so both see the same machine.
  const tree = process.env.BENCH_BASELINE_TREE;
  const baselinePort = tree ? await freePort() : 0;
  const baseline = tree ? await startServiceProcess({
    name: 'api-baseline', entry: join(tree, 'src/server.ts'), env: { ...env, PORT: String(baselinePort) }, logFile: join(dir, 'api-baseline.log'), readyLine: listening,
  }) : undefined;
  try {
    const rows = [];
    let window: [number, number] = [0, 0];
    const lab = await labRoots(process.env.LAB_DIR, join(LOCK_DIR, 'pid'));
    const roots: CpuRoots = {
      'API': [api.pid, 'self'], ...(baseline ? { 'API baseline': [baseline.pid, 'self'] } : {}), 'bare': [bare.pid, 'self'],
      'bench (load generator)': [process.pid, 'self'], 'lab: Redis': lab['lab: Redis'] ?? [undefined, 'self'],
    };
    const cpu: string[] = [];
    const rounds = Number(process.env.BENCH_ROUNDS ?? (baseline ? 2 : 1));
    const targets: Array<[string, string, string]> = [['bare: parse + queue.add', `http://127.0.0.1:${bport}`, 'bare']];
    for (let i = 0; i < rounds; i++) {
      if (baseline) targets.push([`POST, baseline tree (${i + 1})`, `http://127.0.0.1:${baselinePort}`, 'API baseline']);
      targets.push([`POST /v1/diagnostics${baseline || rounds > 1 ? ` (${i + 1})` : ''}`, `http://127.0.0.1:${port}`, 'API']);
    }
    const ratios: string[] = [];
    for (const [label, origin, who] of targets) {
      process.stderr.write(`profile: ${label} (load ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
      let from = 0;
      let stats = '';
      let a: CpuSample | undefined;
      let b: CpuSample | undefined;
      const r = await runThroughput({
        label, origin, apiKey, concurrency: opts.concurrency, durationMs: opts.seconds * 1000, warmupMs: 1000, account: throwaway,
        onWindow: async (edge) => {
          if (edge === 'start') { a = await cpuSample(roots); from = Date.now(); await redis.config('RESETSTAT'); } else { b = await cpuSample(roots); stats = await redis.info('commandstats'); }
        },
      });
      rows.push(r);
      if (who === 'API') window = [from, Date.now()];
      if (who !== 'bare') ratios.push(`${label}: ${((100 * reqPerSecond(r)) / reqPerSecond(rows[0])).toFixed(0)} %`);
      // CPU time per 202 answer over the measured window: what each process spends on one request.
      const perReq = (v: number) => (r.ok ? ((v * 1e6) / r.ok).toFixed(0) : '-');
      const d = cpuDelta(a!, b!);
      cpu.push(`${label}: CPU µs per 202 — ${d.filter(([k]) => !k.startsWith('idle') && (k === who || !['API', 'API baseline', 'bare'].includes(k))).map(([k, v]) => `${k} ${perReq(v)}`).join(', ')}; `
        + `idle ${d.find(([k]) => k.startsWith('idle'))![1].toFixed(1)} core-s`);
      // Redis's own time per command (INFO commandstats over the window: scripts include the commands they call).
      const top = [...stats.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm)]
        .map((m) => ({ cmd: m[1], calls: Number(m[2]), usec: Number(m[3]), per: Number(m[4]) })).sort((x, y) => y.usec - x.usec).slice(0, 4);
      cpu.push(`  Redis commandstats: ${top.map((t) => `${t.cmd} ${t.calls}× ${t.per.toFixed(1)} µs`).join(', ')}`);
    }
    process.stdout.write(renderThroughput(rows, `enqueue throughput${profiling ? ' (API under --cpu-prof)' : ''}`));
    process.stdout.write(`ratio to bare: ${ratios.join('; ')}\n${cpu.join('\n')}\n\n`);
    await api.stop();
    const exitWall = Date.now();
    if (profiling) {
      // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the main thread is thread 0 (others are worker threads).
      const file = (await readdir(profDir)).find((f) => new RegExp(`\\.${api.pid}\\.0\\.\\d+\\.cpuprofile$`).test(f));
      if (!file) throw new Error(`no profile in ${profDir}`);
      const prof = JSON.parse(await readFile(join(profDir, file), 'utf8')) as CpuProfile;
      // The profile's clock is monotonic µs; its end is the process's exit (SIGTERM after the window).
      const toProfile = (wallMs: number) => prof.endTime - (exitWall - wallMs) * 1000;
      process.stdout.write(`${summarizeProfile(prof, toProfile(window[0]), toProfile(window[1]))}\n`);
      if (process.env.BENCH_PROFILE_DIR) process.stderr.write(`profile: kept in ${join(profDir, file)}\n`);
    }
    return 0;
  } finally {
    await api.stop().catch(() => undefined);
    await baseline?.stop().catch(() => undefined);
    await bare.stop().catch(() => undefined);
    await deletePrefix(redis, prefix).catch(() => undefined);
    await redis.quit().catch(() => redis.disconnect());
    if (process.env.BENCH_KEEP_LOGS !== '1') await rm(dir, { recursive: true, force: true });
    else process.stderr.write(`profile: logs in ${dir}\n`);
  }
}

if (process.argv[1]?.endsWith('profile-api.ts')) {
  main().then((code) => process.exit(code), (err: Error) => { process.stderr.write(`profile: ${err.stack ?? err.message}\n`); process.exit(1); });
}
