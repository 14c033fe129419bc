// What `exdiag run` prints while checks run: a redrawn status line on a terminal (colours unless
// NO_COLOR), plain lines elsewhere, with a "still running" line after a quiet spell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, progressLine, terminalMode } from '../../src/cli/progress.js';
import type { CheckResult } from '../../src/diagnostics/types.js';

const ESC = '\x1b';

function sink(columns?: number) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(''), columns, write(s: string) { chunks.push(s); return true; } } as unknown as NodeJS.WritableStream & { chunks: string[]; text(): string; columns?: number };
}

const result = (id: CheckResult['id'], status: CheckResult['status'], code?: string): CheckResult =>
  ({ id, status, ...(code ? { code } : {}), message: `${id} says so`, evidence: {}, durationMs: 12, startedAt: new Date(0).toISOString() }) as CheckResult;

test('terminal mode: a TTY gets redraws and colours; NO_COLOR (non-empty) and TERM=dumb are honoured', () => {
  assert.deepEqual(terminalMode({ isTTY: true }, {}), { tty: true, color: true });
  assert.deepEqual(terminalMode({ isTTY: true }, { NO_COLOR: '1' }), { tty: true, color: false });
  assert.deepEqual(terminalMode({ isTTY: true }, { NO_COLOR: '' }), { tty: true, color: true });
  assert.deepEqual(terminalMode({ isTTY: true }, { TERM: 'dumb' }), { tty: false, color: false });
  assert.deepEqual(terminalMode({ isTTY: false }, {}), { tty: false, color: false });
  assert.deepEqual(terminalMode({}, {}), { tty: false, color: false });
});

test('on a terminal: the running checks with their elapsed time, redrawn in place, cleared for each result', () => {
  let now = 1000;
  const out = sink(120);
  const p = createProgress({ out, tty: true, color: true, now: () => now, redrawMs: 60_000 });
  p.started('imap');
  p.started('receive');
  now += 2345;
  p.finished(result('imap', 'pass'));
  const text = out.text();
  assert.ok(text.startsWith(`\r${ESC}[2K${ESC}[2m  … running: imap 0.0 s${ESC}[0m`), JSON.stringify(text));
  // The finished line replaces the status line, then the status line comes back with the rest.
  assert.ok(text.includes(`\r${ESC}[2K  [${ESC}[32mok  ${ESC}[0m] imap`), JSON.stringify(text));
  assert.ok(text.endsWith(`\r${ESC}[2K${ESC}[2m  … running: receive 2.3 s${ESC}[0m`), JSON.stringify(text));
  p.stop();
  assert.ok(out.text().endsWith(`\r${ESC}[2K`), 'stop clears the status line');
});

test('on a terminal with NO_COLOR: the same redraws, no colour', () => {
  const out = sink();
  const p = createProgress({ out, tty: true, color: false, now: () => 0 });
  p.started('receive');
  p.finished(result('receive', 'warn', 'MAIL_DELAYED'));
  p.stop();
  const text = out.text();
  assert.ok(text.includes(`\r${ESC}[2K  … running: receive 0.0 s`));
  assert.ok(text.includes('  [WARN] receive      MAIL_DELAYED receive says so (12 ms)\n'));
  assert.doesNotMatch(text, /\x1b\[[0-9;]*m/, 'no SGR sequence');
});

test('a status line wider than the terminal is cut (a wrapped line cannot be redrawn)', () => {
  const out = sink(30);
  const p = createProgress({ out, tty: true, color: false, now: () => 0 });
  for (const id of ['account', 'domain', 'mx', 'srv'] as const) p.started(id);
  const last = out.chunks.at(-1)!.replace(`\r${ESC}[2K`, '');
  assert.equal(last.length, 29);
  assert.ok(last.endsWith('…'));
  p.stop();
  // A pty without a window size reports 0 columns: 80 is assumed.
  const unknown = sink(0);
  const q = createProgress({ out: unknown, tty: true, color: false, now: () => 0 });
  q.started('receive');
  assert.ok(unknown.text().endsWith('  … running: receive 0.0 s'), JSON.stringify(unknown.text()));
  q.stop();
});

test('not a terminal: plain lines only, and a "still running" line when nothing was printed for a while', async () => {
  let now = 0;
  const out = sink();
  const p = createProgress({ out, tty: false, color: false, now: () => now, quietMs: 50 });
  p.started('send');
  p.started('receive');
  p.finished(result('send', 'pass'));
  now = 5000;
  // The timer ticks at most every quietMs: wait for its line (bounded).
  for (let i = 0; i < 100 && !out.text().includes('still running'); i++) await new Promise((r) => setTimeout(r, 10));
  p.stop();
  const text = out.text();
  assert.ok(text.startsWith('  [ok  ] send         send says so (12 ms)\n'), JSON.stringify(text));
  assert.match(text, /^ {2}… still running: receive 5 s\n$/m);
  assert.doesNotMatch(text, /\x1b/, 'no escape sequence at all');
  assert.doesNotMatch(text, /\r/);
});

test('--json on a terminal: only the transient status line, no result lines', () => {
  const out = sink();
  const p = createProgress({ out, tty: true, color: false, lines: false, now: () => 0 });
  p.started('mx');
  p.finished(result('mx', 'fail', 'MX_MISSING'));
  p.stop();
  assert.doesNotMatch(out.text(), /MX_MISSING/);
  assert.ok(out.text().includes('running: mx'));
});

test('progressLine keeps the README format; colour only wraps the mark', () => {
  assert.equal(progressLine(result('mx', 'fail', 'MX_INVALID')), '  [FAIL] mx           MX_INVALID mx says so (12 ms)\n');
  assert.equal(progressLine(result('mx', 'fail', 'MX_INVALID'), true), `  [${ESC}[31mFAIL${ESC}[0m] mx           MX_INVALID mx says so (12 ms)\n`);
});
