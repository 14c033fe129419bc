// TLS_EXPIRING through the API against the lab: expiring-cert.lab.test (127.0.0.4) serves a valid
// certificate that expires 5 days after the lab started, on IMAPS, submission and HTTPS (EWS and
// Autodiscover). Every check that verifies a certificate warns; the normal server does not.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import type { CheckId, CheckResult } from '../../src/diagnostics/types.js';
import { LAB_SERVER, mailbox } from '../lab/scenarios.js';
import { diagnose, finding, result, summary } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/tls-expiring.test.ts';
const HOST = 'expiring-cert.lab.test';
const DAY = 24 * 3600 * 1000;

/** The expiry evidence of the lab's 5-day certificate, as the checks report it. */
function assertExpiry(ev: Record<string, unknown> | undefined, host: string, what: string): void {
  assert.ok(ev, what);
  assert.equal(ev.host, host, what);
  assert.ok(typeof ev.daysLeft === 'number' && ev.daysLeft >= 4 && ev.daysLeft <= 5, `${what}: daysLeft ${ev.daysLeft}`);
  const left = Date.parse(String(ev.notAfter)) - Date.now();
  assert.ok(left > 3 * DAY && left <= 5 * DAY, `${what}: notAfter ${ev.notAfter}`);
  assert.match(String(ev.subject), /CN=\*?\.?lab\.test/, `${what}: subject ${ev.subject}`);
  assert.match(String(ev.issuer), /exchange-diagnostics lab CA/, `${what}: issuer ${ev.issuer}`);
}

function expiring(d: DiagnosticRecord, id: CheckId, host = HOST): CheckResult {
  const r = finding(d, id, 'TLS_EXPIRING', 'warn');
  assert.match(r.message, /expires on \d{4}-\d\d-\d\d, in [45] days/, r.message);
  assertExpiry(r.evidence, host, id);
  return r;
}

describe('TLS_EXPIRING: a certificate that expires within TLS_EXPIRING_DAYS (default 14)', { skip }, () => {
  let s: Service;
  before(async () => { s = await startService({ THROTTLE_MAX: '0' }); });
  after(() => s?.close());

  test(`${HOST}: imap, send and webmail log in and warn TLS_EXPIRING (4–5 days left); verdict degraded`, async () => {
    const d = await diagnose(s, { account: 'healthy@healthy.test', server: HOST, checks: ['webmail', 'imap', 'send', 'autodiscover'] });
    for (const id of ['imap', 'send', 'webmail'] as const) expiring(d, id);
    // The purpose still succeeded: the login evidence is kept beside the expiry.
    assert.ok(String(result(d, 'imap').evidence.loginResponse).length > 0);
    assert.ok(result(d, 'send').evidence.token, 'the test message was accepted');
    assert.ok(result(d, 'webmail').evidence.soap, 'EWS opened the inbox');
    // healthy.test's Autodiscover answers from ex.lab.test (its SRV target), whose certificate has a year left.
    assert.equal(result(d, 'autodiscover').status, 'pass', summary(d));
    assert.deepEqual([d.verdict, d.primaryCause, d.causes], ['degraded', 'TLS_EXPIRING', ['TLS_EXPIRING']], summary(d));
  });

  test('user@expiring-cert.test: Autodiscover answers from the SRV target expiring-cert.lab.test → TLS_EXPIRING for that endpoint', async () => {
    const d = await diagnose(s, { account: 'user@expiring-cert.test', server: HOST, checks: ['srv', 'autodiscover'] });
    assert.equal(result(d, 'srv').status, 'pass', summary(d));
    const r = expiring(d, 'autodiscover');
    assert.equal(r.evidence.ewsUrl, `https://${HOST}/EWS/Exchange.asmx`);
    assert.equal(d.primaryCause, 'TLS_EXPIRING');
  });

  test(`${LAB_SERVER} (certificate valid a year): no TLS_EXPIRING anywhere; verdict healthy`, async () => {
    const d = await diagnose(s, { account: 'healthy@healthy.test', checks: ['webmail', 'imap', 'send', 'autodiscover'] });
    for (const id of ['imap', 'send', 'webmail', 'autodiscover'] as const) assert.equal(result(d, id).status, 'pass', `${id}: ${summary(d)}`);
    assert.ok(d.results.every((r) => r.code !== 'TLS_EXPIRING' && r.evidence.tlsExpiring === undefined), summary(d));
    assert.equal(d.verdict, 'healthy', summary(d));
  });

  test('a refused login keeps priority: AUTH_FAILED, with the expiry in evidence.tlsExpiring (imap, send, webmail)', async () => {
    const account = 'wrongpw@healthy.test';
    const password = `${mailbox(account).password}-wrong`;
    for (const id of ['imap', 'send', 'webmail'] as const) {
      const d = await diagnose(s, { account, password, server: HOST, checks: [id] });
      const r = result(d, id);
      assert.equal(`${r.status}:${r.code}`, 'fail:AUTH_FAILED', `${id}: ${summary(d)}`);
      assertExpiry(r.evidence.tlsExpiring as Record<string, unknown>, HOST, `${id} tlsExpiring`);
      assert.deepEqual([d.verdict, d.primaryCause], ['failing', 'AUTH_FAILED'], summary(d));
    }
  });
});

describe('TLS_EXPIRING_DAYS', { skip }, () => {
  test('TLS_EXPIRING_DAYS=3: the 5-day certificate is not yet worth a warning', async () => {
    const s = await startService({ THROTTLE_MAX: '0', TLS_EXPIRING_DAYS: '3' });
    try {
      assert.equal(s.config.TLS_EXPIRING_DAYS, 3);
      const d = await diagnose(s, { account: 'healthy@healthy.test', server: HOST, checks: ['webmail', 'imap', 'send'] });
      for (const id of ['imap', 'send', 'webmail'] as const) assert.equal(result(d, id).status, 'pass', `${id}: ${summary(d)}`);
      assert.equal(d.verdict, 'healthy', summary(d));
    } finally {
      await s.close();
    }
  });
});
