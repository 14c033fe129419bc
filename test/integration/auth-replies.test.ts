// "A correct password that is refused", in the servers' own words, end to end through the API
// (HTTP → queue → worker → checks) against the lab's real Dovecot and Postfix and the Exchange
// Online look-alike submission server (test/lab/hostile/exo-smtp.ts): each reply is mapped to its
// code (src/checks/auth-replies.ts), kept verbatim in evidence, and only a reply that judged the
// password counts as a failed login.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { failedLogins, type FailedLogins } from '../lab/logs.js';
import { HOSTILE, mailbox } from '../lab/scenarios.js';
import { diagnose, finding, result, summary, type Ask } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/auth-replies.test.ts';

const verdictOf = (d: DiagnosticRecord, id: 'imap' | 'send' | 'webmail') => result(d, id).evidence.verdict as { rule: string; judgedPassword: boolean } | undefined;
const none = (a: FailedLogins, b: FailedLogins) => ({ imap: b.imap - a.imap, smtp: b.smtp - a.smtp, http: b.http - a.http });

describe('the servers\' own words for a refused login, through the API', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ THROTTLE_MAX: '0' });
  });
  after(() => s?.close());
  const run = (ask: Ask) => diagnose(s, ask);

  test('Dovecot [CONTACTADMIN] (passdb nologin) → LOGIN_DISABLED with the reply in evidence; the password is not tried again', async () => {
    const address = 'nologin@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, checks: ['account', 'imap', 'send', 'webmail'] });
    const imap = finding(d, 'imap', 'LOGIN_DISABLED');
    assert.match(String(imap.evidence.loginResponse), /NO \[CONTACTADMIN\] Login disabled for this user$/, summary(d));
    assert.equal(imap.evidence.serverResponseCode, 'CONTACTADMIN');
    assert.deepEqual(verdictOf(d, 'imap'), { rule: 'imap:CONTACTADMIN', judgedPassword: true });
    assert.match(imap.message, /may not log in/);
    assert.match(imap.remediation!.en.title, /Login disabled/);
    // Dovecot judged the credentials: the other password checks do not spend another login.
    for (const id of ['send', 'webmail'] as const) {
      const r = result(d, id);
      assert.equal(r.status, 'skipped', `${id}: ${summary(d)}`);
      assert.equal(r.skippedBecause?.check, 'imap', `${id}: ${summary(d)}`);
    }
    assert.deepEqual([d.primaryCause, d.verdict], ['LOGIN_DISABLED', 'failing'], summary(d));
    const spent = none(before, await failedLogins(address));
    assert.deepEqual([spent.smtp, spent.http], [0, 0], 'no login over submission or HTTPS');
  });

  test('Dovecot [UNAVAILABLE] (its passdb fails) → AUTH_UNAVAILABLE, not judged: webmail still signs in with the same password', async () => {
    const address = 'tempfail@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, checks: ['account', 'imap', 'webmail'] });
    const imap = finding(d, 'imap', 'AUTH_UNAVAILABLE');
    assert.match(String(imap.evidence.loginResponse), /NO \[UNAVAILABLE\] Temporary authentication failure\./, summary(d));
    assert.deepEqual(verdictOf(d, 'imap'), { rule: 'imap:UNAVAILABLE', judgedPassword: false });
    assert.match(imap.message, /not judged/);
    // The guard stayed undecided: EWS was asked, and accepted the password.
    assert.equal(result(d, 'webmail').status, 'pass', summary(d));
    assert.deepEqual([d.primaryCause, d.verdict], ['AUTH_UNAVAILABLE', 'failing'], summary(d));
    assert.deepEqual(none(before, await failedLogins(address)), { imap: 0, smtp: 0, http: 0 }, 'no wrong-password login recorded anywhere');
  });

  test('Exchange Online 535 5.7.139 (SMTP AUTH disabled for the tenant) → LEGACY_AUTH_BLOCKED; IMAP and EWS accept the password', async () => {
    const address = 'exo-smtp@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, platform: 'lab-exo-smtp', checks: ['account', 'imap', 'send', 'webmail'] });
    const send = finding(d, 'send', 'LEGACY_AUTH_BLOCKED');
    assert.equal(send.evidence.host, HOSTILE.exoSmtpAuthDisabled);
    assert.equal(send.evidence.step, 'auth');
    assert.deepEqual([send.evidence.responseCode, send.evidence.enhancedStatus], [535, '5.7.139']);
    assert.match(String(send.evidence.response),
      /^535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant\. Visit https:\/\/aka\.ms\/smtp_auth_disabled for more information\. \[\S+ \S+Z [0-9A-F]{16}\]$/, summary(d));
    assert.ok((send.evidence.transcript as string[]).some((l) => /Microsoft ESMTP MAIL Service ready at/.test(l)), 'the transcript shows the EXO greeting');
    assert.deepEqual(verdictOf(d, 'send'), { rule: 'smtp:535 5.7.139', judgedPassword: false });
    assert.match(send.message, /SMTP AUTH \/ basic authentication is disabled/);
    assert.deepEqual([result(d, 'imap').status, result(d, 'webmail').status], ['pass', 'pass'], summary(d));
    assert.ok(!d.results.some((r) => r.code === 'AUTH_FAILED'), summary(d));
    assert.deepEqual([d.primaryCause, d.verdict], ['LEGACY_AUTH_BLOCKED', 'failing'], summary(d));
    assert.deepEqual(none(before, await failedLogins(address)), { imap: 0, smtp: 0, http: 0 });

    // Without the IMAP check, send and webmail race for the first login: whichever goes first,
    // 5.7.139 leaves the guard undecided and webmail signs in (one diagnostic per account at a time).
    const d2 = await run({ account: address, platform: 'lab-exo-smtp', checks: ['account', 'send', 'webmail'] });
    finding(d2, 'send', 'LEGACY_AUTH_BLOCKED');
    assert.equal(result(d2, 'webmail').status, 'pass', summary(d2));
  });

  test('a wrong password is still AUTH_FAILED, judged, over IMAP ([AUTHENTICATIONFAILED]) and submission (535 5.7.8)', async () => {
    const account = 'wrongpw-replies@healthy.test';
    const imapRun = await run({ account, password: `${mailbox(account).password}-not`, checks: ['account', 'imap'] });
    const imap = finding(imapRun, 'imap', 'AUTH_FAILED');
    assert.match(String(imap.evidence.loginResponse), /NO \[AUTHENTICATIONFAILED\] Authentication failed\./);
    assert.deepEqual(verdictOf(imapRun, 'imap'), { rule: 'imap:AUTHENTICATIONFAILED', judgedPassword: true });
    const sendRun = await run({ account, password: `${mailbox(account).password}-not`, checks: ['account', 'send'] });
    const send = finding(sendRun, 'send', 'AUTH_FAILED');
    assert.deepEqual([send.evidence.responseCode, send.evidence.enhancedStatus], [535, '5.7.8']);
    assert.deepEqual(verdictOf(sendRun, 'send'), { rule: 'smtp:535 5.7.8', judgedPassword: true });
  });
});
