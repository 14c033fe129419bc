// The runner's own duties, with small in-test check definitions: ordering, prerequisites,
// lockout skipping, timeouts, exception capture, secret scrubbing, cancellation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createNet } from '../../src/net/index.js';
import type { CheckDeps } from '../../src/diagnostics/deps.js';
import { runDiagnostic, RunCancelledError } from '../../src/run/runner.js';
import type { CheckDefinition, CheckId, CheckOutcome } from '../../src/diagnostics/types.js';
import { defaultProfiles } from '../../src/platforms/defaults.js';
import { resolvePlatform } from '../../src/platforms/profile.js';

const deps: CheckDeps = {
  net: createNet({ dnsServers: [], dnsTimeoutMs: 1000, policy: { allowlist: [] }, ioTimeoutMs: 1000 }),
  provider: { name: 'none', lookup: async () => ({ found: false, evidence: {} }) },
  settings: { mxPort: 25, heloName: 'h', testMailFrom: 'a@b.c', receiveTimeoutMs: 1000, mailDelayedAfterMs: 500, domainExpiringDays: 30, tlsExpiringDays: 14 },
  now: () => Date.now(),
};
const platform = resolvePlatform('hosted-eu', defaultProfiles['hosted-eu'], undefined);
const pass: CheckOutcome = { status: 'pass', message: 'ok', evidence: {} };

function def(id: CheckId, run: CheckDefinition['run'], extra: Partial<CheckDefinition> = {}): CheckDefinition {
  return { id, after: [], requires: [], usesPassword: false, timeoutMs: 1000, run, ...extra };
}
const run = (defs: CheckDefinition[], opts: { deadlineMs?: number; signal?: AbortSignal; password?: string } = {}) =>
  runDiagnostic(
    { diagnosticId: 'd1', account: 'user@example.com', password: opts.password ?? 'S3cret-pw', platform, checks: defs.map((d) => d.id) },
    { registry: new Map(defs.map((d) => [d.id, d])), deps, log: pino({ level: 'silent' }), deadlineMs: opts.deadlineMs ?? 5000, signal: opts.signal },
  );

test('a check runs after the checks it names and reads their results', async () => {
  const seen: string[] = [];
  const report = await run([
    def('mx', async () => { await new Promise((r) => setTimeout(r, 20)); seen.push('mx'); return pass; }),
    def('receive', async (ctx) => { seen.push(`receive saw mx=${ctx.results.mx?.status}`); return pass; }, { after: ['mx'] }),
  ]);
  assert.deepEqual(seen, ['mx', 'receive saw mx=pass']);
  assert.equal(report.verdict, 'healthy');
});

test('a failed prerequisite skips the check and says which', async () => {
  const report = await run([
    def('imap', async () => ({ status: 'fail', code: 'IMAP_UNREACHABLE', message: 'refused', evidence: {} })),
    def('receive', async () => pass, { after: ['imap'], requires: ['imap'] }),
  ]);
  const receive = report.checks.find((c) => c.id === 'receive')!;
  assert.equal(receive.status, 'skipped');
  assert.deepEqual(receive.skippedBecause, { check: 'imap', code: 'IMAP_UNREACHABLE' });
  assert.equal(report.primaryCause, 'IMAP_UNREACHABLE');
});

test('after AUTH_FAILED no other check gets the password, even when started in parallel', async () => {
  let tries = 0;
  const login = (id: CheckId): CheckDefinition['run'] => async (ctx) => {
    const pw = await ctx.credentials.acquire(id);
    if (pw === undefined) return { status: 'skipped', message: 'lockout safety', evidence: {} };
    tries++;
    await new Promise((r) => setTimeout(r, 10));
    ctx.credentials.failed(id, id);
    return { status: 'fail', code: 'AUTH_FAILED', message: 'no', evidence: {} };
  };
  const report = await run([
    def('imap', login('imap'), { usesPassword: true }),
    def('webmail', login('webmail'), { usesPassword: true }),
    def('send', login('send'), { usesPassword: true }),
  ]);
  assert.equal(tries, 1);
  assert.equal(report.checks.filter((c) => c.status === 'skipped').length, 2);
  for (const c of report.checks.filter((c) => c.status === 'skipped')) assert.equal(c.skippedBecause?.code, 'AUTH_FAILED');
});

test('the provider saying logins cannot succeed skips password checks before any try', async () => {
  let tried = false;
  const report = await run([
    def('account', async (ctx) => { ctx.facts.loginBlocked = 'ACCOUNT_SUSPENDED'; return { status: 'fail', code: 'ACCOUNT_SUSPENDED', message: 's', evidence: {} }; }),
    def('imap', async (ctx) => { tried = !!(await ctx.credentials.acquire('imap')); return pass; }, { after: ['account'], usesPassword: true }),
  ]);
  assert.equal(tried, false);
  assert.equal(report.checks[1].status, 'skipped');
  assert.equal(report.primaryCause, 'ACCOUNT_SUSPENDED');
});

test('timeouts, the overall deadline and exceptions become error results, and the check is aborted', async () => {
  let aborted = false;
  const report = await run([
    def('mx', (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => { aborted = true; resolve(pass); })), { timeoutMs: 50 }),
    def('srv', async () => { throw new Error('boom'); }),
    def('receive', () => new Promise(() => {}), { timeoutMs: 10_000 }),
  ], { deadlineMs: 150 });
  const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(by.mx.code, 'CHECK_TIMEOUT');
  assert.equal(aborted, true);
  assert.equal(by.srv.code, 'CHECK_ERROR');
  assert.match(by.srv.message, /boom/);
  assert.equal(by.receive.code, 'DEADLINE_EXCEEDED');
  assert.equal(report.verdict, 'inconclusive');
});

test('whatever a check writes, the password never leaves the runner', async () => {
  const report = await run([
    def('imap', async () => ({ status: 'fail', code: 'AUTH_FAILED', message: 'server echoed S3cret-pw', evidence: { sent: Buffer.from('S3cret-pw').toString('base64') } })),
  ]);
  const json = JSON.stringify(report);
  assert.ok(!json.includes('S3cret-pw'));
  assert.ok(!json.includes(Buffer.from('S3cret-pw').toString('base64')));
  assert.match(json, /\[redacted\]/);
});

test('results carry remediation in both languages, duration and start time', async () => {
  const report = await run([def('mx', async () => ({ status: 'fail', code: 'MX_MISSING', message: 'none', evidence: {} }))]);
  const mx = report.checks[0];
  assert.ok(mx.remediation?.fr.title && mx.remediation.en.title);
  assert.ok(typeof mx.durationMs === 'number' && mx.startedAt);
});

test('cancellation aborts the run', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  await assert.rejects(run([def('mx', (ctx) => new Promise((r) => ctx.signal.addEventListener('abort', () => r(pass))), { timeoutMs: 5000 })], { signal: ac.signal }), RunCancelledError);
});

test('cancellation does not wait for a check that ignores its signal', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  const t0 = Date.now();
  await assert.rejects(run([def('mx', () => new Promise(() => undefined), { timeoutMs: 5000 })], { signal: ac.signal }), RunCancelledError);
  assert.ok(Date.now() - t0 < 1000, `cancelled after ${Date.now() - t0} ms`);
});

test('a check skipped behind a skipped prerequisite names the root cause', async () => {
  const report = await run([
    def('account', async (ctx) => { ctx.facts.loginBlocked = 'ACCOUNT_LOCKED'; return { status: 'fail', code: 'ACCOUNT_LOCKED', message: 'l', evidence: {} }; }),
    def('imap', async () => pass, { after: ['account'], usesPassword: true }),
    def('receive', async () => pass, { after: ['imap'], requires: ['imap'] }),
  ]);
  const receive = report.checks.find((c) => c.id === 'receive')!;
  assert.deepEqual(receive.skippedBecause, { check: 'account', code: 'ACCOUNT_LOCKED' });
  assert.match(receive.message, /imap was skipped because of account \(ACCOUNT_LOCKED\)/);
});
