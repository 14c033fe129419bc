// `exdiag run` as a support engineer sees it, against the lab: on a terminal (a real pty from
// util-linux `script`) a status line of the checks still running with their elapsed time,
// redrawn in place, in colour unless NO_COLOR; plain lines into a pipe; Ctrl-C (SIGINT) while
// `receive` waits cancels the run and exits 130.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mailbox } from '../lab/scenarios.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/cli.test.ts';
const CLI = [process.execPath, '--import', 'tsx', 'src/cli.ts'];
const SGR = /\x1b\[[0-9;]*m/;
const REDRAW = '\r\x1b[2K';

interface Ran { code: number | null; out: string; err: string; ms: number }

/** Runs the CLI under a pseudo-terminal: stdout and stderr both arrive on the pty. */
async function underPty(args: string[], env: Record<string, string>): Promise<Ran> {
  const t0 = Date.now();
  const child = spawn('script', ['-qfec', [...CLI, ...args].join(' '), '/dev/null'], {
    cwd: root, env: { ...(process.env as Record<string, string>), TERM: 'xterm-256color', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err, ms: Date.now() - t0 };
}

describe('exdiag run: progress and Ctrl-C', { skip }, () => {
  it('on a terminal: the running checks with their elapsed time, redrawn in place, in colour', async () => {
    // This domain's MX accepts the test message and drops it: `receive` is seen waiting for its
    // whole (short) timeout. (Not the greylisted mailbox: another test may have passed its greylist.)
    const m = mailbox('user@dropped.test');
    const r = await underPty(['run', m.address, '--platform', 'lab', '--password-env', 'EXDIAG_TEST_PW', '--checks', 'mx,imap,send,receive'],
      { EXDIAG_TEST_PW: m.password, RECEIVE_TIMEOUT_MS: '2500' });
    assert.equal(r.code, 1, r.out + r.err);
    assert.ok(r.out.includes(`${REDRAW}\x1b[2m  … running: `), JSON.stringify(r.out.slice(0, 400)));
    const waits = [...r.out.matchAll(/running: [^\r\n]*?receive (\d+\.\d) s/g)].map((x) => Number(x[1]));
    assert.ok(waits.length >= 5, `the status line was redrawn while receive waited (${waits.length} times)`);
    assert.ok(Math.max(...waits) >= 1.5, `elapsed time grows: ${waits.join(', ')}`);
    assert.match(r.out, /\[\x1b\[32mok {2}\x1b\[0m\] mx/);
    assert.match(r.out, /\[\x1b\[31mFAIL\x1b\[0m\] receive {6}MAIL_NOT_RECEIVED/);
    assert.match(r.out, /Verdict/);
  });

  it('on a terminal with NO_COLOR: still redrawn, never coloured', async () => {
    const m = mailbox('healthy@healthy.test');
    const r = await underPty(['run', m.address, '--platform', 'lab', '--password-env', 'EXDIAG_TEST_PW'], { EXDIAG_TEST_PW: m.password, NO_COLOR: '1' });
    assert.equal(r.code, 0, r.out + r.err);
    assert.ok(r.out.includes(`${REDRAW}  … running: `), JSON.stringify(r.out.slice(0, 400)));
    assert.match(r.out, /\[ok {2}\] receive/);
    assert.doesNotMatch(r.out, SGR, 'no colour sequence anywhere');
  });

  it('into a pipe: plain lines, a "still running" line while receive waits; SIGINT cancels with exit status 130', async () => {
    // This domain's MX accepts the test message and drops it: receive waits its whole timeout.
    const m = mailbox('user@dropped.test');
    const t0 = Date.now();
    const child = spawn(CLI[0], [...CLI.slice(1), 'run', m.address, '--platform', 'lab', '--password-env', 'EXDIAG_TEST_PW', '--checks', 'mx,imap,send,receive'], {
      cwd: root, env: { ...(process.env as Record<string, string>), EXDIAG_TEST_PW: m.password, RECEIVE_TIMEOUT_MS: '60000', TERM: 'xterm-256color' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (b: Buffer) => {
        err += b.toString();
        if (/still running: receive \d+ s/.test(err)) resolve();
      });
      void exited.then(([code]) => reject(new Error(`exited (${code}) before receive waited: ${err}`)));
    });
    const waited = Date.now() - t0;
    const sent = Date.now();
    child.kill('SIGINT');
    const [code, signal] = await exited;
    assert.equal(signal, null);
    assert.equal(code, 130, err);
    assert.ok(Date.now() - sent < 5000, `stopped ${Date.now() - sent} ms after SIGINT`);
    assert.ok(waited < 60000, 'interrupted long before the receive timeout');
    assert.match(err, /\[ok {2}\] mx/);
    assert.match(err, /interrupted/);
    assert.doesNotMatch(err, /\x1b|\r/, 'no escape sequence or carriage return in a pipe');
    assert.equal(out, '', 'no report for a cancelled run');
  });
});
