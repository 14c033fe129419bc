// Pacing of a worker's active runs (src/worker/pacing.ts), the event-loop lag monitor
// (src/run/loop-lag.ts) and how the runner tells our overload from the customer's fault
// (src/run/overload.ts), with an injected lag source.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { CheckDeps, LoopLag } from '../../src/diagnostics/deps.js';
import type { CheckDefinition, CheckId, CheckOutcome } from '../../src/diagnostics/types.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { createNet } from '../../src/net/index.js';
import { defaultProfiles } from '../../src/platforms/defaults.js';
import { resolvePlatform } from '../../src/platforms/profile.js';
import { createLoopLagMonitor } from '../../src/run/loop-lag.js';
import { judgeOverload, OVERLOAD_LAG_MS } from '../../src/run/overload.js';
import { runDiagnostic } from '../../src/run/runner.js';
import { createActiveGate } from '../../src/worker/pacing.js';

const tick = () => new Promise((r) => setImmediate(r));

test('the gate grants up to max slots at once, then first come first served', async () => {
  const gate = createActiveGate(2);
  const a = await gate.acquire();
  const b = await gate.acquire();
  assert.equal(gate.active, 2);
  const order: string[] = [];
  const queued: number[] = [];
  const c = gate.acquire(undefined, (ahead) => queued.push(ahead)).then((s) => { order.push('c'); return s; });
  const d = gate.acquire(undefined, (ahead) => queued.push(ahead)).then((s) => { order.push('d'); return s; });
  await tick();
  assert.deepEqual(order, []);
  assert.deepEqual(queued, [0, 1], 'each waiter learns how many wait before it');
  assert.equal(gate.waiting, 2);
  a.release();
  a.release(); // a second release is a no-op, not a second free slot
  await tick();
  assert.deepEqual(order, ['c']);
  assert.equal(gate.active, 2);
  b.release();
  const [sc, sd] = await Promise.all([c, d]);
  assert.deepEqual(order, ['c', 'd']);
  assert.equal(gate.peak, 2);
  assert.ok(sc.waitedMs >= 0 && sd.waitedMs >= 0);
  sc.release(); sd.release();
  assert.equal(gate.active, 0);
  assert.equal(gate.waiting, 0);
});

test('the gate never lets more than max run their active part, however many arrive in one tick', async () => {
  const gate = createActiveGate(4);
  let running = 0;
  let most = 0;
  const runOne = async () => {
    const slot = await gate.acquire();
    running++; most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * 5)));
    running--;
    slot.release();
  };
  await Promise.all(Array.from({ length: 100 }, runOne));
  assert.equal(most, 4);
  assert.equal(gate.peak, 4);
  assert.equal(gate.active, 0);
});

test('a waiter that is aborted leaves the queue and gets the abort reason; the slot goes to the next', async () => {
  const gate = createActiveGate(1);
  const held = await gate.acquire();
  const ac = new AbortController();
  const aborted = gate.acquire(ac.signal);
  const next = gate.acquire();
  ac.abort('cancel');
  await assert.rejects(aborted, (e) => e === 'cancel');
  assert.equal(gate.waiting, 1);
  held.release();
  const s = await next;
  assert.equal(gate.active, 1);
  s.release();
  await assert.rejects(gate.acquire(AbortSignal.abort('shutdown')), (e) => e === 'shutdown');
});

test('max 0 means no limit', async () => {
  const gate = createActiveGate(0);
  const slots = await Promise.all(Array.from({ length: 50 }, () => gate.acquire()));
  assert.equal(gate.active, 50);
  assert.equal(gate.peak, 50);
  for (const s of slots) s.release();
  assert.throws(() => createActiveGate(-1), RangeError);
});

test('the lag monitor sees a blocked event loop, also while the stall is still going on', async () => {
  const lag = createLoopLagMonitor(20);
  try {
    await new Promise((r) => setTimeout(r, 60));
    const before = performance.now();
    assert.ok(lag.maxDelaySince(before) < 50, 'an idle loop shows no stall');
    const t0 = performance.now();
    while (performance.now() - t0 < 300) { /* block the loop */ }
    // Still inside the same tick: the monitor's timer has not run, the stall in progress counts.
    assert.ok(lag.maxDelaySince(before) >= 250, `stall in progress seen (${lag.maxDelaySince(before)})`);
    await new Promise((r) => setTimeout(r, 60));
    assert.ok(lag.maxDelaySince(before) >= 250, 'the recorded stall is kept');
    assert.ok(lag.maxDelaySince(performance.now()) < 50, 'a later window does not see it');
  } finally {
    lag.stop();
  }
});

test('judgeOverload: our timeout under a stall says so; a connect timeout is not the customer\'s SMTP_UNREACHABLE', () => {
  const timeout: CheckOutcome = { status: 'error', code: 'CHECK_TIMEOUT', message: 'send did not finish in time (check timeout)', evidence: { timeoutMs: 20000 } };
  const unreachable: CheckOutcome = { status: 'fail', code: 'SMTP_UNREACHABLE', message: 'cannot reach the submission server smtp.example (192.0.2.1:587): ETIMEDOUT', evidence: { errorCode: 'ETIMEDOUT', error: 'Connection timeout' } };
  const refused: CheckOutcome = { status: 'fail', code: 'SMTP_UNREACHABLE', message: 'cannot reach …: ECONNREFUSED', evidence: { errorCode: 'ECONNREFUSED' } };
  const imapTimeout: CheckOutcome = { status: 'fail', code: 'IMAP_UNREACHABLE', message: 'cannot watch the mailbox', evidence: { imap: { errorCode: 'ETIMEDOUT' } } };

  // No lag source, or a small stall: unchanged.
  assert.equal(judgeOverload('send', unreachable, undefined), unreachable);
  assert.equal(judgeOverload('send', unreachable, OVERLOAD_LAG_MS - 1), unreachable);
  assert.equal(judgeOverload('send', timeout, 200), timeout);

  const t = judgeOverload('send', timeout, 1800.4);
  assert.equal(t.status, 'error');
  assert.equal(t.code, 'CHECK_TIMEOUT');
  assert.match(t.message, /overloaded .*stalled 1800 ms/);
  assert.deepEqual(t.evidence.overload, { eventLoopStallMs: 1800, thresholdMs: OVERLOAD_LAG_MS });
  assert.equal(t.evidence.timeoutMs, 20000);

  const u = judgeOverload('send', unreachable, 2500);
  assert.equal(u.status, 'error');
  assert.equal(u.code, 'CHECK_TIMEOUT');
  assert.match(u.message, /would otherwise have reported SMTP_UNREACHABLE/);
  assert.deepEqual(u.evidence.overload, { eventLoopStallMs: 2500, thresholdMs: OVERLOAD_LAG_MS, insteadOf: 'SMTP_UNREACHABLE' });
  assert.equal(u.evidence.errorCode, 'ETIMEDOUT');

  assert.equal(judgeOverload('receive', imapTimeout, 2500).code, 'CHECK_TIMEOUT', 'a timeout one level down (evidence.imap) counts');
  // A refusal is the server's answer, whatever our loop did.
  assert.equal(judgeOverload('send', refused, 5000), refused);
  // Findings that are not about reaching the server stay.
  const authFailed: CheckOutcome = { status: 'fail', code: 'AUTH_FAILED', message: 'no', evidence: { errorCode: 'ETIMEDOUT' } };
  assert.equal(judgeOverload('send', authFailed, 5000), authFailed);
});

// The runner with an injected lag source.
const platform = resolvePlatform('hosted-eu', defaultProfiles['hosted-eu'], undefined);
function depsWith(loopLag?: LoopLag): CheckDeps {
  return {
    net: createNet({ dnsServers: [], dnsTimeoutMs: 1000, policy: { allowlist: [] }, ioTimeoutMs: 1000 }),
    provider: { name: 'none', lookup: async () => ({ found: false, evidence: {} }) },
    settings: { mxPort: 25, heloName: 'h', testMailFrom: 'a@b.c', receiveTimeoutMs: 1000, mailDelayedAfterMs: 500, domainExpiringDays: 30, tlsExpiringDays: 14 },
    now: () => Date.now(),
    ...(loopLag ? { loopLag } : {}),
  };
}
const def = (id: CheckId, run: CheckDefinition['run'], timeoutMs = 1000): CheckDefinition => ({ id, after: [], requires: [], usesPassword: false, timeoutMs, run });
const runWith = (defs: CheckDefinition[], loopLag?: LoopLag) => runDiagnostic(
  { diagnosticId: 'd1', account: 'user@example.com', password: 'pw-123456', platform, checks: defs.map((d) => d.id) },
  { registry: new Map(defs.map((d) => [d.id, d])), deps: depsWith(loopLag), log: pino({ level: 'silent' }), deadlineMs: 5000 },
);

test('the runner: a connect timeout during a stall of our loop ends CHECK_TIMEOUT (our side), not SMTP_UNREACHABLE', async () => {
  const sendTimesOut = def('send', async () => ({ status: 'fail', code: 'SMTP_UNREACHABLE', message: 'cannot reach the submission server: ETIMEDOUT', evidence: { errorCode: 'ETIMEDOUT' } }));
  const asked: number[] = [];
  const stalled: LoopLag = { maxDelaySince: (since) => { asked.push(since); return 3000; } };
  const r = await runWith([sendTimesOut], stalled);
  const send = r.checks[0];
  assert.equal(send.status, 'error');
  assert.equal(send.code, 'CHECK_TIMEOUT');
  assert.equal((send.evidence.overload as { insteadOf: string }).insteadOf, 'SMTP_UNREACHABLE');
  assert.equal(r.verdict, 'inconclusive', 'our overload is not the customer\'s failure');
  assert.equal(asked.length, 1);
  assert.ok(asked[0] <= performance.now(), 'asked about the window since the check started');

  const calm = await runWith([sendTimesOut], { maxDelaySince: () => 5 });
  assert.equal(calm.checks[0].code, 'SMTP_UNREACHABLE', 'without a stall the finding stands');
  assert.equal(calm.verdict, 'failing');
  const unwatched = await runWith([sendTimesOut]);
  assert.equal(unwatched.checks[0].code, 'SMTP_UNREACHABLE');
});

test('the runner: a check that hits its own timeout during a stall says the worker was overloaded', async () => {
  const slow = def('dmarc', (ctx) => new Promise<CheckOutcome>((resolve) => { ctx.signal.addEventListener('abort', () => resolve({ status: 'pass', message: 'late', evidence: {} })); }), 50);
  const r = await runWith([slow], { maxDelaySince: () => 1500 });
  assert.equal(r.checks[0].code, 'CHECK_TIMEOUT');
  assert.match(r.checks[0].message, /did not finish in time .*overloaded/);
  assert.deepEqual(r.checks[0].evidence.overload, { eventLoopStallMs: 1500, thresholdMs: OVERLOAD_LAG_MS });
});

test('the runner passes a run\'s deps to its checks: waiting() reaches the worker', async () => {
  let released = 0;
  const deps = { ...depsWith(), waiting: () => { released++; } };
  const receive = def('receive', async (ctx) => { ctx.deps.waiting?.(); return { status: 'pass', message: 'ok', evidence: {} }; });
  await runDiagnostic(
    { diagnosticId: 'd1', account: 'user@example.com', password: 'pw-123456', platform, checks: ['receive'] },
    { registry: new Map([['receive', receive]]), deps, log: pino({ level: 'silent' }), deadlineMs: 5000 },
  );
  assert.equal(released, 1);
});

test('WORKER_ACTIVE_MAX: default 24, 0 turns pacing off, validated', () => {
  assert.equal(loadConfig({}).WORKER_ACTIVE_MAX, 24);
  assert.equal(loadConfig({ WORKER_ACTIVE_MAX: '0' }).WORKER_ACTIVE_MAX, 0);
  assert.equal(loadConfig({ WORKER_ACTIVE_MAX: '100' }).WORKER_ACTIVE_MAX, 100);
  for (const bad of ['-1', '1001', '2.5', 'many']) assert.throws(() => loadConfig({ WORKER_ACTIVE_MAX: bad }), ConfigError, bad);
});
