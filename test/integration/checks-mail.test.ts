// The five mail checks (mx, srv, imap, send, receive) against the lab's real DNS, Postfix and Dovecot.
// Run under the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/checks-mail.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { imapCheck } from '../../src/checks/imap.js';
import { closeImap } from '../../src/net/imap.js';
import { findJunkFolder, searchTokenIn } from '../../src/checks/mail/mailbox-search.js';
import { mxCheck } from '../../src/checks/mx.js';
import { receiveCheck } from '../../src/checks/receive.js';
import { sendCheck } from '../../src/checks/send.js';
import { srvCheck } from '../../src/checks/srv.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { buildCheckDeps } from '../../src/run/build-deps.js';
import type { CheckDeps } from '../../src/diagnostics/deps.js';
import { createNet } from '../../src/net/index.js';
import { runDiagnostic } from '../../src/run/runner.js';
import type { CheckDefinition, CheckId, CheckResult, DiagnosticReport } from '../../src/diagnostics/types.js';
import { resolvePlatform } from '../../src/platforms/profile.js';
import { failedLogins } from '../lab/logs.js';
import { LAB_SERVER, PORTS, mailbox } from '../lab/scenarios.js';

const LAB = process.env.LAB_DIR;
const CHECKS: CheckId[] = ['mx', 'srv', 'imap', 'send', 'receive'];
const registry = new Map<CheckId, CheckDefinition>([mxCheck, srvCheck, imapCheck, sendCheck, receiveCheck].map((d) => [d.id, d]));

describe('mail checks against the lab', { skip: LAB ? false : 'LAB_DIR is not set: run under `npx tsx test/lab/with-lab.ts -- …`' }, () => {
  let config: Readonly<Config>;
  let deps: CheckDeps;

  before(() => {
    // Short waits: the lab delivers in milliseconds, greylists delayed@ for ~3 s, drops dropped.test.
    config = loadConfig({ ...process.env, RECEIVE_TIMEOUT_MS: '6000', MAIL_DELAYED_AFTER_MS: '1500', LOG_LEVEL: 'silent' });
    deps = buildCheckDeps(config);
  });
  after(async () => { await deps?.net.close(); });

  type Run = { report: DiagnosticReport; byId: Record<string, CheckResult> };
  async function diagnose(account: string, opts: { password?: string; server?: string; checks?: CheckId[] } = {}): Promise<Run> {
    const platform = resolvePlatform('lab', config.platforms.get('lab')!, opts.server, 'request');
    const report = await runDiagnostic(
      { diagnosticId: `it-${Date.now()}`, account, password: opts.password ?? mailbox(account).password, platform, checks: opts.checks ?? CHECKS },
      { registry, deps, log: pino({ level: 'silent' }), deadlineMs: 60_000, timeouts: { receive: 40_000 } },
    );
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    return { report, byId };
  }

  /** Messages of this run still in INBOX or Junk (looked up by the tokens the checks reported). */
  async function leftovers(account: string, run: Run): Promise<number> {
    const tokens = [run.byId.send?.evidence.token, run.byId.receive?.evidence.token].filter((t): t is string => typeof t === 'string');
    if (!tokens.length) return 0;
    const ac = new AbortController();
    const r = await deps.net.connectImap({ host: LAB_SERVER, port: PORTS.imaps, user: account, password: mailbox(account).password, signal: ac.signal, timeoutMs: 10_000 });
    assert.ok(r.ok, 'can open the mailbox to verify the cleanup');
    try {
      const junk = await findJunkFolder(r.client);
      let n = 0;
      for (const folder of ['INBOX', ...(junk ? [junk] : [])]) for (const t of tokens) n += (await searchTokenIn(r.client, folder, t)).length;
      return n;
    } finally {
      await closeImap(r.client);
    }
  }

  const codes = (run: Run) => Object.fromEntries(CHECKS.map((id) => [id, `${run.byId[id].status}${run.byId[id].code ? `:${run.byId[id].code}` : ''}`]));

  test('healthy@healthy.test passes all five, sees the sent message arrive, and leaves no test message', async () => {
    const run = await diagnose('healthy@healthy.test');
    assert.deepEqual(codes(run), { mx: 'pass', srv: 'pass', imap: 'pass', send: 'pass', receive: 'pass' });
    assert.equal(run.report.verdict, 'healthy');
    const imap = run.byId.imap.evidence as { address: string; tls: { cert: { subject: string } }; capabilities: string[] };
    assert.equal(imap.address, '127.0.0.1');
    assert.match(imap.tls.cert.subject, /ex\.lab\.test|CN=/);
    const rcv = run.byId.receive.evidence as { sendCheckMessage: { seen: boolean }; cleanup: { deleted: Array<{ deleted: number }> }; delivery: { outcome: string } };
    assert.equal(rcv.delivery.outcome, 'accepted');
    assert.equal(rcv.sendCheckMessage.seen, true);
    assert.equal(rcv.cleanup.deleted.reduce((n, e) => n + e.deleted, 0), 2, 'both test messages deleted');
    assert.equal(await leftovers('healthy@healthy.test', run), 0);
  });

  test('without the receive check, the send check deletes its own test message', async () => {
    const run = await diagnose('healthy@healthy.test', { checks: ['imap', 'send'] });
    assert.equal(run.byId.send.status, 'pass');
    const cleanup = run.byId.send.evidence.cleanup as { deleted: Array<{ folder: string; deleted: number }> };
    assert.deepEqual(cleanup.deleted.map((d) => [d.folder, d.deleted]), [['INBOX', 1]]);
    assert.equal(await leftovers('healthy@healthy.test', run), 0);
  });

  test('a wrong password costs exactly one failed login; send and receive are skipped', async () => {
    const account = 'wrongpw-mail@healthy.test';
    const before = await failedLogins(account);
    const run = await diagnose(account, { password: 'not-the-password-1' });
    assert.equal(codes(run).imap, 'fail:AUTH_FAILED');
    assert.equal(run.byId.send.status, 'skipped');
    assert.equal(run.byId.receive.status, 'skipped');
    assert.deepEqual(run.byId.send.skippedBecause, { check: 'imap', code: 'AUTH_FAILED' });
    assert.ok(!JSON.stringify(run.report).includes('not-the-password-1'));
    const afterRun = await failedLogins(account);
    const spent = (afterRun.imap - before.imap) + (afterRun.smtp - before.smtp) + (afterRun.http - before.http);
    assert.equal(spent, 1);
  });

  test('MX pointing elsewhere: MX_INVALID, and the test message is not received', async () => {
    const run = await diagnose('user@mx-elsewhere.test');
    assert.equal(codes(run).mx, 'fail:MX_INVALID');
    assert.deepEqual((run.byId.mx.evidence as { unexpected: string[] }).unexpected, ['mx.elsewhere.test']);
    assert.equal(codes(run).receive, 'fail:MAIL_NOT_RECEIVED');
    assert.equal(run.byId.receive.explainedBy, 'MX_INVALID');
    assert.equal(await leftovers('user@mx-elsewhere.test', run), 0);
  });

  test('no MX: MX_MISSING', async () => {
    const run = await diagnose('user@mx-missing.test');
    assert.equal(codes(run).mx, 'fail:MX_MISSING');
    assert.equal(codes(run).receive, 'fail:MAIL_NOT_RECEIVED');
    assert.equal(run.report.primaryCause, 'MX_MISSING');
    assert.equal(await leftovers('user@mx-missing.test', run), 0);
  });

  test('wrong SRV: SRV_INVALID naming every field; missing SRV: SRV_MISSING', async () => {
    const wrong = await diagnose('user@srv-wrong.test');
    assert.equal(codes(wrong).srv, 'fail:SRV_INVALID');
    const fields = (wrong.byId.srv.evidence as { differences: Array<{ field: string }> }).differences.map((d) => d.field);
    assert.deepEqual(fields, ['priority', 'weight', 'port', 'target']);
    assert.equal(await leftovers('user@srv-wrong.test', wrong), 0);
    const missing = await diagnose('user@srv-missing.test');
    assert.equal(codes(missing).srv, 'fail:SRV_MISSING');
    assert.equal(await leftovers('user@srv-missing.test', missing), 0);
  });

  test('an MX that drops inbound mail: MAIL_NOT_RECEIVED after the wait', async () => {
    const run = await diagnose('user@dropped.test');
    assert.equal(codes(run).mx, 'pass');
    assert.equal(codes(run).receive, 'fail:MAIL_NOT_RECEIVED');
    assert.equal((run.byId.receive.evidence as { delivery: { outcome: string } }).delivery.outcome, 'accepted');
    assert.equal(await leftovers('user@dropped.test', run), 0);
  });

  test('a sender blocked for spam: SEND_REJECTED with the 5.7.1 reply', async () => {
    const run = await diagnose('spammer@healthy.test');
    assert.equal(codes(run).imap, 'pass');
    assert.equal(codes(run).send, 'fail:SEND_REJECTED');
    const ev = run.byId.send.evidence as { enhancedStatus: string; responseCode: number; response: string; authenticated: boolean };
    assert.equal(ev.enhancedStatus, '5.7.1');
    assert.equal(Math.floor(ev.responseCode / 100), 5);
    assert.equal(ev.authenticated, true);
    assert.equal(codes(run).receive, 'pass');
    assert.equal(await leftovers('spammer@healthy.test', run), 0);
  });

  test('inbound mail filed into Junk: MAIL_IN_JUNK, and cleaned up there', async () => {
    const run = await diagnose('junk@healthy.test');
    assert.equal(codes(run).receive, 'warn:MAIL_IN_JUNK');
    assert.equal(run.report.verdict, 'degraded');
    assert.equal(await leftovers('junk@healthy.test', run), 0);
  });

  test('greylisted delivery is retried: MAIL_DELAYED', async () => {
    const run = await diagnose('delayed@healthy.test');
    assert.equal(codes(run).receive, 'warn:MAIL_DELAYED');
    const attempts = (run.byId.receive.evidence as { delivery: { attempts: Array<{ result: string }> } }).delivery.attempts;
    assert.equal(attempts[0].result, 'deferred');
    assert.equal(attempts.at(-1)!.result, 'accepted');
    assert.equal(await leftovers('delayed@healthy.test', run), 0);
  });

  test('an expired certificate: TLS_INVALID on imap and send, with the certificate in evidence', async () => {
    const run = await diagnose('healthy@healthy.test', { server: 'expired.lab.test' });
    assert.equal(codes(run).imap, 'fail:TLS_INVALID');
    assert.equal(codes(run).send, 'fail:TLS_INVALID');
    assert.equal(run.byId.receive.status, 'skipped');
    for (const id of ['imap', 'send'] as const) {
      const ev = run.byId[id].evidence as { tlsError: string; tls: { cert?: { expired: boolean; validTo: string } } };
      assert.equal(ev.tlsError, 'CERT_HAS_EXPIRED', id);
      assert.equal(ev.tls.cert?.expired, true, id);
    }
  });

  test('our resolver failing is an error (DNS_ERROR), not a finding about the domain', async () => {
    // Nothing answers DNS on port 9: the query fails on our side.
    const dead = { ...deps, net: createNet({ dnsServers: ['127.0.0.1:9'], dnsTimeoutMs: 300, dnsTries: 1, policy: { allowlist: ['127.0.0.0/8'] }, ioTimeoutMs: 1000 }) };
    const platform = resolvePlatform('lab', config.platforms.get('lab')!, undefined);
    const report = await runDiagnostic(
      { diagnosticId: `it-dns-${Date.now()}`, account: 'healthy@healthy.test', password: mailbox('healthy@healthy.test').password, platform, checks: ['mx', 'srv'] },
      { registry, deps: dead, log: pino({ level: 'silent' }), deadlineMs: 10_000 },
    );
    for (const c of report.checks) assert.equal(`${c.status}:${c.code}`, 'error:DNS_ERROR', c.id);
    assert.equal(report.verdict, 'inconclusive');
  });

  test('a server that is down: IMAP_UNREACHABLE and SMTP_UNREACHABLE', async () => {
    const run = await diagnose('healthy@healthy.test', { server: 'down.lab.test' });
    assert.equal(codes(run).imap, 'fail:IMAP_UNREACHABLE');
    assert.equal(codes(run).send, 'fail:SMTP_UNREACHABLE');
    assert.equal((run.byId.imap.evidence as { address: string }).address, '127.0.0.9');
  });
});

