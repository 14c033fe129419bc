// What `exdiag run` shows on stderr while checks run, so that a 60 s receive wait never looks
// like a hang: on a terminal one status line redrawn in place ("running: receive 12.3 s"),
// elsewhere (a pipe, a CI log) plain lines only, with a "still running" line after a quiet spell.
import type { CheckId, CheckResult } from '../diagnostics/types.js';

export interface ProgressOptions {
  out: NodeJS.WritableStream & { columns?: number };
  /** Redraw a status line in place (stderr is a terminal); otherwise plain lines. */
  tty: boolean;
  /** ANSI colours (a terminal without NO_COLOR). */
  color: boolean;
  /** Print a line per finished check (default true; false for --json: only the transient status line). */
  lines?: boolean;
  /** How often the status line is redrawn on a terminal, ms (default 200). */
  redrawMs?: number;
  /** Without a terminal: a "still running" line after this long without output, ms (default 5000). */
  quietMs?: number;
  now?: () => number;
}

export interface Progress {
  started(check: CheckId): void;
  finished(result: CheckResult): void;
  /** Clears the status line and stops the timer (idempotent). */
  stop(): void;
}

const MARK: Record<CheckResult['status'], string> = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL', error: 'ERR ', skipped: 'skip' };
const SGR: Record<CheckResult['status'], string> = { pass: '32', warn: '33', fail: '31', error: '35', skipped: '2' };
const CLEAR_LINE = '\r\x1b[2K';

/** One finished check, as printed (and as the README shows it). */
export function progressLine(r: CheckResult, color = false): string {
  const code = r.code && r.status !== 'pass' ? ` ${r.code}` : '';
  const mark = color ? `\x1b[${SGR[r.status]}m${MARK[r.status]}\x1b[0m` : MARK[r.status];
  return `  [${mark}] ${r.id.padEnd(12)}${code} ${r.message} (${r.durationMs} ms)\n`;
}

/** NO_COLOR (no-color.org): present and not empty turns colours off; TERM=dumb has no cursor control. */
export function terminalMode(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): { tty: boolean; color: boolean } {
  const tty = Boolean(stream.isTTY) && env.TERM !== 'dumb';
  return { tty, color: tty && !env.NO_COLOR };
}

export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now;
  const lines = o.lines ?? true;
  const running = new Map<CheckId, number>();
  let statusShown = false;
  let lastOutput = now();
  let timer: NodeJS.Timeout | undefined;

  const seconds = (ms: number, digits: number) => `${(ms / 1000).toFixed(digits)} s`;
  const list = (digits: number) => [...running].map(([id, t0]) => `${id} ${seconds(now() - t0, digits)}`).join(', ');

  function clearStatus() {
    if (statusShown) o.out.write(CLEAR_LINE);
    statusShown = false;
  }

  function drawStatus() {
    if (!running.size) return clearStatus();
    let text = `  … running: ${list(1)}`;
    // A wrapped line cannot be redrawn with \r: cut it to the terminal's width (0 when unknown).
    const width = (o.out.columns || 80) - 1;
    if (text.length > width) text = `${text.slice(0, Math.max(0, width - 1))}…`;
    o.out.write(`${CLEAR_LINE}${o.color ? `\x1b[2m${text}\x1b[0m` : text}`);
    statusShown = true;
  }

  function tick() {
    if (o.tty) return drawStatus();
    if (running.size && now() - lastOutput >= (o.quietMs ?? 5000)) {
      o.out.write(`  … still running: ${list(0)}\n`);
      lastOutput = now();
    }
  }

  function ensureTimer() {
    if (timer || (!o.tty && !lines)) return;
    timer = setInterval(tick, o.tty ? (o.redrawMs ?? 200) : Math.min(1000, o.quietMs ?? 5000));
    // The display never keeps the process alive.
    timer.unref();
  }

  return {
    started(check) {
      running.set(check, now());
      ensureTimer();
      if (o.tty) drawStatus();
    },
    finished(r) {
      running.delete(r.id);
      if (lines) {
        clearStatus();
        o.out.write(progressLine(r, o.color));
        lastOutput = now();
      }
      if (o.tty) drawStatus();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      running.clear();
      clearStatus();
    },
  };
}
