// Each lab scenario through the real service: HTTP API → queue → worker → real checks against the
// lab's DNS, Postfix, Dovecot and HTTPS stand-ins (PROVIDER=none: no account-state API).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { CHECK_IDS, type CheckId, type CheckResult } from '../../src/diagnostics/types.js';
import { failedLogins } from '../lab/logs.js';
import { mailbox } from '../lab/scenarios.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/scenarios.test.ts';

describe('lab scenarios through the API', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ PROVIDER: 'none', RECEIVE_TIMEOUT_MS: '12000', MAIL_DELAYED_AFTER_MS: '10000', THROTTLE_MAX: '0' });
  });
  after(() => s?.close());

  async function run(account: string, checks: CheckId[] | undefined, password = mailbox(account).password): Promise<DiagnosticRecord> {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send({ account, password, ...(checks ? { checks } : {}) });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await s.waitFor(res.body.id, ['completed', 'failed', 'cancelled'], 120000);
    const got = await s.request.get(res.headers.location).set(s.auth);
    assert.equal(got.status, 200);
    return got.body as DiagnosticRecord;
  }
  const result = (d: DiagnosticRecord, id: CheckId): CheckResult => {
    const r = d.results.find((x) => x.id === id);
    assert.ok(r, `no ${id} result in ${JSON.stringify(d.results.map((x) => x.id))}`);
    return r;
  };
  const summary = (d: DiagnosticRecord) => JSON.stringify({ status: d.status, verdict: d.verdict, primary: d.primaryCause, error: d.error, results: d.results.map((r) => [r.id, r.status, r.code, r.explainedBy, r.message]) });

  test('healthy@healthy.test → completed, healthy', async () => {
    const d = await run('healthy@healthy.test', undefined);
    assert.equal(d.status, 'completed', summary(d));
    assert.equal(d.verdict, 'healthy', summary(d));
    assert.equal(d.primaryCause, undefined);
    assert.equal(d.results.length, CHECK_IDS.length);
    assert.equal(result(d, 'account').status, 'skipped', 'PROVIDER=none: not applicable');
    for (const id of ['mx', 'srv', 'imap', 'send', 'receive'] as const) assert.equal(result(d, id).status, 'pass', `${id}: ${summary(d)}`);
  });

  test('wrongpw@healthy.test with a wrong password → one AUTH_FAILED, the rest not tried, at most one failed login per protocol', async () => {
    const address = 'wrongpw-scenarios@healthy.test';
    const before = await failedLogins(address);
    const d = await run(address, ['mx', 'autodiscover', 'webmail', 'imap', 'send', 'receive'], 'definitely-not-the-password');
    assert.equal(d.status, 'completed', summary(d));
    assert.equal(d.primaryCause, 'AUTH_FAILED', summary(d));
    const imap = result(d, 'imap');
    assert.equal(imap.status, 'fail');
    assert.equal(imap.code, 'AUTH_FAILED');
    for (const id of ['autodiscover', 'webmail', 'send', 'receive'] as const) {
      const r = result(d, id);
      assert.equal(r.status, 'skipped', `${id}: ${summary(d)}`);
      assert.equal(r.skippedBecause?.code, 'AUTH_FAILED', `${id}: ${JSON.stringify(r.skippedBecause)}`);
    }
    const after = await failedLogins(address);
    const delta = { imap: after.imap - before.imap, smtp: after.smtp - before.smtp, http: after.http - before.http };
    assert.equal(delta.imap, 1, `the servers' logs: ${JSON.stringify(delta)}`);
    assert.ok(delta.smtp <= 1 && delta.http <= 1, JSON.stringify(delta));
    assert.equal(delta.imap + delta.smtp + delta.http, 1, `one failed login in the whole run: ${JSON.stringify(delta)}`);
  });

  test('user@mx-elsewhere.test → MX_INVALID primary; receive MAIL_NOT_RECEIVED explained by it', async () => {
    const d = await run('user@mx-elsewhere.test', ['mx', 'imap', 'receive']);
    assert.equal(d.primaryCause, 'MX_INVALID', summary(d));
    assert.equal(result(d, 'mx').code, 'MX_INVALID');
    const receive = result(d, 'receive');
    assert.equal(receive.code, 'MAIL_NOT_RECEIVED', summary(d));
    assert.equal(receive.explainedBy, 'MX_INVALID');
    assert.deepEqual(d.causes, ['MX_INVALID']);
  });

  test('user@mx-missing.test → MX_MISSING', async () => {
    const d = await run('user@mx-missing.test', ['mx']);
    assert.equal(result(d, 'mx').code, 'MX_MISSING', summary(d));
    assert.equal(d.primaryCause, 'MX_MISSING');
    assert.equal(d.verdict, 'failing');
  });

  test('user@srv-wrong.test → SRV_INVALID', async () => {
    const d = await run('user@srv-wrong.test', ['srv']);
    assert.equal(result(d, 'srv').code, 'SRV_INVALID', summary(d));
    assert.equal(d.primaryCause, 'SRV_INVALID');
  });

  test('user@srv-missing.test → SRV_MISSING', async () => {
    const d = await run('user@srv-missing.test', ['srv']);
    assert.equal(result(d, 'srv').code, 'SRV_MISSING', summary(d));
    assert.equal(d.primaryCause, 'SRV_MISSING');
  });

  test('user@dropped.test → MAIL_NOT_RECEIVED', async () => {
    const d = await run('user@dropped.test', ['mx', 'imap', 'receive']);
    assert.equal(result(d, 'mx').status, 'pass', summary(d));
    assert.equal(result(d, 'receive').code, 'MAIL_NOT_RECEIVED', summary(d));
    assert.equal(d.primaryCause, 'MAIL_NOT_RECEIVED');
  });

  test('spammer@healthy.test → SEND_REJECTED with the server\'s 5.7.1 in evidence', async () => {
    const d = await run('spammer@healthy.test', ['imap', 'send']);
    assert.equal(result(d, 'imap').status, 'pass', summary(d));
    const send = result(d, 'send');
    assert.equal(send.code, 'SEND_REJECTED', summary(d));
    assert.match(JSON.stringify(send.evidence), /5\.7\.1/);
    assert.equal(d.primaryCause, 'SEND_REJECTED');
  });
});
