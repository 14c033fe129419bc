// Stops what a lab left running when its process died without stopping it (SIGKILL, crash), using
// the pid files and control commands under that lab's own dir — never by process name.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processAlive } from './child.js';
import { forgetConfigDir } from './postfix.js';
import { stopRedis } from './redis.js';
import { waitUntil } from './readiness.js';

const run = promisify(execFile);

async function killPidFile(file: string): Promise<void> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (!pid || !(await processAlive(pid))) return;
  process.kill(pid, 'SIGTERM');
  await waitUntil(`pid ${pid} to stop`, async () => !(await processAlive(pid)), { timeoutMs: 10000 }).catch(() => process.kill(pid, 'SIGKILL'));
}

export async function reapLab(dir: string, log: (m: string) => void = () => undefined): Promise<void> {
  if (!existsSync(dir)) return;
  log(`lab: cleaning up the abandoned lab at ${dir}`);
  const conf = join(dir, 'postfix', 'conf');
  if (existsSync(join(conf, 'main.cf'))) {
    await run('postfix', ['-c', conf, 'stop']).catch(() => undefined);
    await killPidFile(join(dir, 'postfix', 'queue', 'pid', 'master.pid'));
    await forgetConfigDir(conf).catch(() => undefined);
  }
  await killPidFile(join(dir, 'dovecot', 'run', 'master.pid'));
  await killPidFile(join(dir, 'dnsmasq.pid'));
  await stopRedis(dir).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
