// Where the machine's CPU went while a figure ran: the worker, the API, each lab server (with the
// children they forked, live or already reaped) and everything else on the machine (other
// people's work on a shared box). Read from /proc; Linux only, and best effort.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const TICK = 100;

interface Stat { ppid: number; own: number; reaped: number }

async function stat(pid: number): Promise<Stat | undefined> {
  const s = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!s) return undefined;
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // From field 3: ppid is 4, utime 14, stime 15, cutime 16, cstime 17.
  return { ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) / TICK, reaped: (Number(f[13]) + Number(f[14])) / TICK };
}

async function allStats(): Promise<Map<number, Stat>> {
  const out = new Map<number, Stat>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = await stat(Number(name));
    if (s) out.set(Number(name), s);
  }
  return out;
}

/** CPU seconds of a process and its descendants (live ones, and those it reaped). */
function treeSeconds(all: Map<number, Stat>, root: number): number {
  const kids = new Map<number, number[]>();
  for (const [pid, s] of all) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), pid]);
  let sum = 0;
  const walk = (pid: number) => {
    const s = all.get(pid);
    if (!s) return;
    sum += s.own + s.reaped;
    for (const k of kids.get(pid) ?? []) walk(k);
  };
  walk(root);
  return sum;
}

async function machineSeconds(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  const v = line.split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICK, total: total / TICK };
}

const pidFrom = async (file: string) => Number((await readFile(file, 'utf8').catch(() => '')).trim()) || undefined;

/** What to account for: name → [pid, whole tree or the process alone]. */
export type CpuRoots = Record<string, [number | undefined, 'tree' | 'self']>;

/** The lab's servers, from LAB_DIR's pid files; the stand-ins live in the lab's own process. */
export async function labRoots(labDir: string | undefined, lockPidFile: string): Promise<CpuRoots> {
  if (!labDir) return {};
  return {
    'lab: Dovecot': [await pidFrom(join(labDir, 'dovecot', 'run', 'master.pid')), 'tree'],
    'lab: Postfix': [await pidFrom(join(labDir, 'postfix', 'queue', 'pid', 'master.pid')), 'tree'],
    'lab: HTTPS stand-ins + greylist': [await pidFrom(lockPidFile), 'self'],
    'lab: Redis': [await pidFrom(join(labDir, 'redis', 'redis.pid')), 'self'],
    'lab: dnsmasq': [await pidFrom(join(labDir, 'dnsmasq.pid')), 'self'],
  };
}

export interface CpuSample { machineBusy: number; machineTotal: number; by: Record<string, number> }

export async function cpuSample(roots: CpuRoots): Promise<CpuSample> {
  const all = await allStats();
  const by: Record<string, number> = {};
  for (const [name, [pid, how]] of Object.entries(roots)) {
    if (!pid) continue;
    by[name] = how === 'tree' ? treeSeconds(all, pid) : (all.get(pid)?.own ?? NaN);
  }
  const m = await machineSeconds();
  return { machineBusy: m.busy, machineTotal: m.total, by };
}

/** CPU seconds between two samples, by name, plus the rest of the machine ("other") and its idle time. */
export function cpuDelta(a: CpuSample, b: CpuSample): Array<[string, number]> {
  const rows: Array<[string, number]> = Object.keys(b.by).map((k) => [k, b.by[k] - (a.by[k] ?? NaN)]);
  const ours = rows.reduce((s, [, v]) => s + (Number.isFinite(v) ? v : 0), 0);
  rows.push(['everything else on the machine', b.machineBusy - a.machineBusy - ours]);
  rows.push(['idle (all cores)', (b.machineTotal - a.machineTotal) - (b.machineBusy - a.machineBusy)]);
  return rows;
}

/** TcpExtListenOverflows (machine-wide): connections a full accept queue dropped (the client waits for a SYN retransmit). */
export async function listenOverflows(): Promise<number> {
  const lines = (await readFile('/proc/net/netstat', 'utf8').catch(() => '')).split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (!lines[i].startsWith('TcpExt:')) continue;
    const keys = lines[i].split(/\s+/);
    const vals = lines[i + 1].split(/\s+/);
    const k = keys.indexOf('ListenOverflows');
    return k > 0 ? Number(vals[k]) : NaN;
  }
  return NaN;
}
