// Starts the real API or worker entry point as its own Node process (no tsx wrapper process in
// between, so the pid we hold is the one whose memory we read and whom we signal): a compiled
// `.js` entry under plain node (what production runs, bench/build.ts), a `.ts` one under tsx. Its log lines
// go to a file; readiness is a log line the entry point writes once it takes work.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resident set size now, bytes (from /proc). */
  rss(): Promise<number>;
  /** CPU time used so far (user + system), seconds (from /proc). */
  cpuSeconds(): Promise<number>;
  /** Last lines of its log (for error messages when it misbehaves). */
  tail(lines?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartProcessOptions {
  name: string;
  /**
   * Entry point relative to the repository or absolute: a `.ts` file runs under tsx (e.g.
   * src/worker.ts), a `.js` file under plain node (a compiled entry point, bench/build.ts).
   */
  entry: string;
  env: Record<string, string>;
  logFile: string;
  /** Resolves true when a log line shows that the process is ready. */
  readyLine: (line: string) => boolean;
  timeoutMs?: number;
  /** Extra node options before the entry point (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export async function startServiceProcess(o: StartProcessOptions): Promise<ServiceProcess> {
  const out = createWriteStream(o.logFile, { flags: 'a' });
  const loader = o.entry.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child: ChildProcess = spawn(process.execPath, [...(o.nodeArgs ?? []), ...loader, o.entry], {
    cwd: REPO_ROOT, env: o.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (!pid) throw new Error(`${o.name}: cannot spawn ${o.entry}`);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => { exited = { code, signal }; resolve(); }));
  child.stderr!.pipe(out, { end: false });

  let ready = () => {};
  const tail = async (lines = 20) => (await readFile(o.logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n');
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`${o.name}: not ready after ${o.timeoutMs ?? 20000} ms`)), o.timeoutMs ?? 20000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.kill('SIGKILL');
      void tail().then((t) => reject(new Error(`${err.message}\n--- ${o.logFile}\n${t}`)));
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (o.readyLine(line)) {
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve();
          return;
        }
      }
    };
    const onEarlyExit = () => fail(new Error(`${o.name}: exited before it was ready (${JSON.stringify(exited)})`));
    child.stdout!.on('data', onData);
    child.once('exit', onEarlyExit);
    ready = () => child.off('exit', onEarlyExit);
  });
  ready();
  // From now on every line goes to the log file only.
  child.stdout!.pipe(out, { end: false });

  return {
    name: o.name,
    pid,
    logFile: o.logFile,
    rss: () => readRss(pid),
    cpuSeconds: () => readCpuSeconds(pid),
    tail,
    async stop(graceMs = 10000) {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, graceMs);
        await exit;
        clearTimeout(timer);
      }
      out.end();
    },
  };
}

/** VmRSS of a process, bytes. */
export async function readRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** utime + stime of a process, seconds (Linux: clock ticks of 1/100 s). */
export async function readCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** A pino JSON line whose `msg` is `msg`. */
export const logMessage = (msg: string) => (line: string) => {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === msg;
  } catch {
    return false;
  }
};
