// A server the lab runs in the foreground as its own child, so it is stopped by its pid and
// an early exit is noticed (and reported) during start-up.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface Child {
  pid: number;
  /** Why it is gone, or undefined while it runs. */
  exited(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `cmd` with stdout/stderr appended to `logFile`. */
export function startChild(cmd: string, args: string[], logFile: string): Child {
  const fd = openSync(logFile, 'a');
  // Own process group: a terminal's Ctrl-C reaches the lab's controller, which stops servers in order.
  const p = spawn(cmd, args, { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let gone: string | undefined;
  const exit = new Promise<void>((resolve) => {
    p.on('exit', (code, signal) => {
      gone = `${cmd} exited (${signal ?? `code ${code}`})`;
      resolve();
    });
    p.on('error', (err) => {
      gone = `${cmd} could not start: ${err.message}`;
      resolve();
    });
  });
  return {
    pid: p.pid ?? -1,
    exited: () => gone,
    async stop(graceMs = 5000) {
      if (gone) return;
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(t);
    },
  };
}

/**
 * Whether a daemon (not our child) still runs: once it exits it may linger as a zombie when pid 1
 * does not reap, so "alive" means signalable and not a zombie.
 */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
