// A correct password that is refused, end to end through the API (HTTP → queue → worker → checks
// against the lab's Dovecot, Postfix, HTTPS stand-ins and the OVHcloud / generic provider
// stand-ins): the provider's authentication policy blocks legacy IMAP for legacyimap@, and the
// second OVHcloud service's authorised IPs leave the lab's egress address (EGRESS_ADDRESSES =
// 127.0.0.1) out for IMAPS and HTTPS. The checks must say so without sending the password there,
// and the servers' own logs must show that no IMAP login was attempted.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { ImapFlow } from 'imapflow';
import { failedLogins, type FailedLogins } from '../lab/logs.js';
import { ADDR, LAB_SERVER, mailbox, PORTS } from '../lab/scenarios.js';
import { diagnose, finding, result, summary } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/auth-refusals.test.ts';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * IMAP login attempts Dovecot logged for the user, successful or not: imap-login's line for every
 * session that authenticated or failed (`user=<…>`), the imap process of a logged-in user
 * (`imap(user)`), and the auth process's lines for requests from imap-login (they carry a
 * `<session>` id; Postfix's SASL requests do not). Delivery (`lmtp(…)`) is not a login.
 */
async function imapAttempts(address: string): Promise<string[]> {
  const log = await readFile(join(process.env.LAB_DIR!, 'dovecot.log'), 'utf8').catch(() => '');
  const u = esc(address.toLowerCase());
  const res = [new RegExp(`imap-login: .*user=<${u}>`, 'i'), new RegExp(`\\bimap\\(${u}\\)`, 'i'), new RegExp(`auth: .*\\(${u},[^,)]*,<[^>]+>\\)`, 'i')];
  return log.split('\n').filter((l) => res.some((r) => r.test(l)));
}

const spentHttp = (b: FailedLogins, a: FailedLogins) => a.http - b.http;
const credentialsOf = (d: DiagnosticRecord, id: 'imap' | 'webmail' | 'autodiscover') =>
  result(d, id).evidence.credentials as Array<{ url: string; sent: boolean; reason: string }>;

describe('a correct password that the provider refuses (PROVIDER=ovhcloud, EGRESS_ADDRESSES=127.0.0.1)', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ RECEIVE_TIMEOUT_MS: '6000', THROTTLE_MAX: '0' });
    assert.equal(s.config.PROVIDER, 'ovhcloud', 'the lab configures the OVHcloud stand-in');
    assert.deepEqual(s.config.EGRESS_ADDRESSES, ['127.0.0.1'], 'the lab says where its traffic leaves from');
  });
  after(() => s?.close());

  test('LEGACY_AUTH_BLOCKED: the policy blocks legacy IMAP → imap fails without a login, EWS proves the password right', async () => {
    const address = 'legacyimap@healthy.test';
    // Dovecot really refuses this user over IMAP: a password sent there would be a failed login.
    assert.deepEqual(await imapAttempts(address), [], 'no earlier run left IMAP lines for this user');
    const d = await diagnose(s, { account: address });

    const account = result(d, 'account');
    assert.equal(account.status, 'pass', `the refusal is reported by the protocol's check, not the account's: ${summary(d)}`);
    assert.deepEqual(account.evidence.authPolicy, { id: '2', source: 'account', legacyAuthBlocked: ['imap'], flags: ['blockLegacyAuthImap'] });
    const raw = account.evidence.authenticationPolicy as Record<string, unknown>;
    assert.equal(raw.blockLegacyAuthImap, true, 'the OVHcloud policy object as read is in evidence');
    assert.equal(raw.appliesAs, 'account');

    const imap = finding(d, 'imap', 'LEGACY_AUTH_BLOCKED');
    assert.match(imap.message, /^IMAP refuses password logins for this account: the provider's authentication policy 2 sets blockLegacyAuthImap; the password was not sent/);
    assert.match(imap.message, /accepted the same password: the password is right, do not change it$/);
    const acceptedBy = imap.evidence.passwordAcceptedBy as { check: string; protocol: string };
    assert.ok(['webmail', 'autodiscover', 'send'].includes(acceptedBy.check), JSON.stringify(acceptedBy));
    assert.equal(result(d, acceptedBy.check as 'webmail').status, 'pass', 'the login it names did succeed');
    assert.deepEqual(credentialsOf(d, 'imap').map((c) => c.sent), [false]);
    assert.match(credentialsOf(d, 'imap')[0].reason, /blockLegacyAuthImap/);
    assert.deepEqual(imap.evidence.authenticationPolicy, { id: '2', appliesAs: 'account', flag: 'blockLegacyAuthImap', flags: ['blockLegacyAuthImap'] });

    for (const id of ['webmail', 'autodiscover', 'send'] as const) assert.equal(result(d, id).status, 'pass', `${id}: ${summary(d)}`);
    assert.deepEqual(credentialsOf(d, 'webmail').map((c) => c.sent), [true], 'EWS got the password: its policy flag is off');
    const receive = result(d, 'receive');
    assert.equal(receive.status, 'skipped');
    assert.deepEqual(receive.skippedBecause, { check: 'imap', code: 'LEGACY_AUTH_BLOCKED' });
    assert.match(receive.message, /LEGACY_AUTH_BLOCKED\): the provider refuses that login whatever the password/);

    assert.equal(d.primaryCause, 'LEGACY_AUTH_BLOCKED', summary(d));
    assert.equal(d.verdict, 'failing');
    assert.ok(imap.remediation?.en.text && imap.remediation.fr.text);
    assert.deepEqual(await imapAttempts(address), [], 'Dovecot logged no IMAP login attempt for the user');
  });

  test('IP_NOT_AUTHORIZED: the service opens IMAPS and HTTPS to 203.0.113.0/24 only → no password over IMAP or HTTPS', async () => {
    const address = 'user@iprestricted.test';
    const before = await failedLogins(address);
    assert.deepEqual(await imapAttempts(address), []);
    const d = await diagnose(s, { account: address });

    const account = result(d, 'account');
    assert.equal(account.status, 'pass', summary(d));
    assert.equal(account.evidence.service, 'hosted-lab-2', 'the domain lives in the second OVHcloud service');
    const restrictions = account.evidence.ipRestrictions as { restricted: Record<string, string[]>; entries: Array<{ ip: string; status: string }> };
    assert.deepEqual(restrictions.restricted, { HTTPS: ['203.0.113.0/24'], IMAPS: ['203.0.113.0/24'] }, 'the creating entry is not in force yet');
    assert.deepEqual(restrictions.entries.map((e) => [e.ip, e.status]), [['203.0.113.0/24', 'ok'], ['198.51.100.0/24', 'creating']]);
    assert.deepEqual((account.evidence.authPolicy as { id: string; source: string }).source, 'service-default', 'no policy of its own: the service default applies');

    for (const [id, flag] of [['imap', 'IMAPS'], ['webmail', 'HTTPS'], ['autodiscover', 'HTTPS']] as const) {
      const r = finding(d, id, 'IP_NOT_AUTHORIZED');
      assert.deepEqual(r.evidence.ipRestriction, { flag, allowed: ['203.0.113.0/24'], egressAddresses: ['127.0.0.1'] }, id);
      assert.match(r.message, new RegExp(`restricted to authorised IPs at the provider \\(${flag}: 203\\.0\\.113\\.0/24\\) and this service's addresses \\(127\\.0\\.0\\.1\\) are not among them; the password was not sent`));
      assert.deepEqual(credentialsOf(d, id).map((c) => c.sent), [false], id);
    }
    // Submission (SMTPS) is not restricted: the entry that would restrict it is still being created.
    assert.equal(result(d, 'send').status, 'pass', summary(d));
    assert.match(result(d, 'imap').message, /SMTP submission accepted the same password: the password is right, do not change it$/);
    assert.deepEqual(result(d, 'receive').skippedBecause, { check: 'imap', code: 'IP_NOT_AUTHORIZED' });
    assert.equal(d.primaryCause, 'IP_NOT_AUTHORIZED', summary(d));

    assert.deepEqual(await imapAttempts(address), [], 'Dovecot logged no IMAP login attempt for the user');
    assert.equal(spentHttp(before, await failedLogins(address)), 0, 'no Basic login reached the HTTPS stand-ins');
  });
});

describe('the same facts from the generic provider (PROVIDER=http)', { skip }, () => {
  let s: Service;
  before(async () => { s = await startService({ PROVIDER: 'http', THROTTLE_MAX: '0' }); });
  after(() => s?.close());

  test('legacy IMAP blocked and authorised IPs come through the JSON contract', async () => {
    const legacy = await diagnose(s, { account: 'legacyimap@healthy.test', checks: ['account', 'imap', 'webmail'] });
    assert.deepEqual(result(legacy, 'account').evidence.authPolicy, { id: '2', source: 'account', legacyAuthBlocked: ['imap'], flags: ['blockLegacyAuthImap'] });
    finding(legacy, 'imap', 'LEGACY_AUTH_BLOCKED');
    assert.match(result(legacy, 'imap').message, /webmail \(EWS\) accepted the same password: the password is right/);
    const restricted = await diagnose(s, { account: 'user@iprestricted.test', checks: ['account', 'imap'] });
    assert.deepEqual(finding(restricted, 'imap', 'IP_NOT_AUTHORIZED').evidence.ipRestriction, { flag: 'IMAPS', allowed: ['203.0.113.0/24'], egressAddresses: ['127.0.0.1'] });
    assert.deepEqual(await imapAttempts('user@iprestricted.test'), []);
    assert.deepEqual(await imapAttempts('legacyimap@healthy.test'), []);
  });
});

// Last: a real IMAP login with the right password, as a mail client would send it. Dovecot refuses
// both (deny passdb for imap; allow_nets outside 203.0.113.0/24), and the log lines the tests above
// count do appear, so their "zero" is a measurement, not a blind spot.
describe('the lab refuses these IMAP logins as the provider would', { skip }, () => {
  test('Dovecot refuses the right password over IMAP, and the attempt shows in its log', async () => {
    for (const address of ['legacyimap@healthy.test', 'user@iprestricted.test']) {
      const client = new ImapFlow({
        host: ADDR.main, port: PORTS.imaps, secure: true, tls: { servername: LAB_SERVER }, logger: false,
        auth: { user: address, pass: mailbox(address).password },
      });
      client.on('error', () => undefined);
      await assert.rejects(client.connect(), (e: Error & { authenticationFailed?: boolean }) => e.authenticationFailed === true, address);
      client.close();
      let lines: string[] = [];
      for (let i = 0; i < 50 && lines.length === 0; i++) {
        lines = await imapAttempts(address);
        if (!lines.length) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(lines.length > 0, `${address}: the refused attempt is in dovecot.log`);
    }
  });
});
