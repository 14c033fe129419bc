// One lab at a time per machine: its ports are fixed (scenarios.ts), so a second lab waits for the
// first to stop instead of failing half-way or, worse, probing the other lab's servers.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './child.js';
import { reapLab } from './reap.js';

export const LOCK_DIR = join(tmpdir(), 'exdiag-lab.lock');

async function holder(): Promise<number | undefined> {
  const pid = Number((await readFile(join(LOCK_DIR, 'pid'), 'utf8').catch(() => '')).trim());
  return pid > 0 ? pid : undefined;
}

/** Records the holder's lab dir, so that a successor can clean up if this process dies. */
export async function recordLabDir(dir: string): Promise<void> {
  await writeFile(join(LOCK_DIR, 'dir'), dir);
}

/** Takes the machine-wide lab lock (an atomic mkdir), waiting while a live process holds it. */
export async function acquireLabLock(opts: { timeoutMs?: number; log?: (m: string) => void } = {}): Promise<() => Promise<void>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  let told = false;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'pid'), String(process.pid));
      return async () => {
        if ((await holder()) === process.pid) await rm(LOCK_DIR, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = await holder();
    if (pid === undefined) {
      // Just created by another process that has not written its pid yet, or left empty by a crash.
      await new Promise((r) => setTimeout(r, 200));
      if ((await holder()) === undefined) await rm(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (!(await processAlive(pid))) {
      const dir = (await readFile(join(LOCK_DIR, 'dir'), 'utf8').catch(() => '')).trim();
      if (dir) await reapLab(dir, opts.log);
      await rm(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`lab: another lab (pid ${pid}) still holds ${LOCK_DIR}`);
    if (!told) {
      opts.log?.(`lab: waiting for the lab of pid ${pid} to stop (one lab per machine: fixed ports)`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
