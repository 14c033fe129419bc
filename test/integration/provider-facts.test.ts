// The provider's facts read right, end to end through the API (HTTP → queue → worker → checks
// against the lab's DNS, Postfix, Dovecot and the OVHcloud stand-in): account states that are
// neither healthy nor suspended, a pending change that explains a refused login, expected records
// from `expected*` with the provider's own verdict beside ours, RDAP on the registrable domain and
// the SPF limits that need the terms resolved.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Code } from '../../src/diagnostics/codes.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import type { CheckId } from '../../src/diagnostics/types.js';
import { failedLogins, type FailedLogins } from '../lab/logs.js';
import { LAB_MX } from '../lab/scenarios.js';
import { diagnose, finding, result, summary, type Ask } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/provider-facts.test.ts';

const PASSWORD_CHECKS: CheckId[] = ['autodiscover', 'webmail', 'imap', 'send', 'receive'];
const spent = (b: FailedLogins, a: FailedLogins) => (a.imap - b.imap) + (a.smtp - b.smtp) + (a.http - b.http);

function skippedFor(d: DiagnosticRecord, ids: CheckId[], because: { check: CheckId; code: Code }): void {
  for (const id of ids) {
    const r = result(d, id);
    assert.equal(r.status, 'skipped', `${id}: ${summary(d)}`);
    assert.deepEqual(r.skippedBecause, because, `${id}: ${summary(d)}`);
  }
}

describe('provider facts through the API (PROVIDER=ovhcloud)', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ RECEIVE_TIMEOUT_MS: '6000', THROTTLE_MAX: '0' });
    assert.equal(s.config.PROVIDER, 'ovhcloud', 'the lab configures the OVHcloud stand-in');
  });
  after(() => s?.close());
  const run = (ask: Ask) => diagnose(s, ask);

  test('a healthy mailbox on a subdomain: RDAP is asked about the registrable domain, every check passes', async () => {
    const d = await run({ account: 'user@eu.healthy.test' });
    assert.equal(d.verdict, 'healthy', summary(d));
    const domain = result(d, 'domain');
    assert.deepEqual([domain.evidence.domain, domain.evidence.asked], ['eu.healthy.test', 'healthy.test']);
    assert.match(String(domain.evidence.askedWhy), /eu\.healthy\.test is a subdomain.*healthy\.test is the registrable domain/);
    assert.match(String(domain.evidence.url), /\/domain\/healthy\.test$/);
    assert.match(domain.message, /healthy\.test \(the registrable domain of eu\.healthy\.test\) is registered until/);
    assert.equal(result(d, 'dmarc').evidence.inherited, true, 'DMARC comes from healthy.test');
  });

  test('ACCOUNT_NOT_READY: the provider is still creating creating@ → no login tried, zero failed logins', async () => {
    const address = 'creating@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, checks: ['account', ...PASSWORD_CHECKS], locale: 'fr' });
    const r = finding(d, 'account', 'ACCOUNT_NOT_READY');
    assert.deepEqual([r.evidence.accountState, r.evidence.phase], ['creating', 'creating']);
    assert.deepEqual((r.evidence.pendingTasks as Array<{ function: string }>).map((t) => t.function), ['addAccount']);
    assert.match(r.remediation!.fr.title, /en cours de création/);
    skippedFor(d, PASSWORD_CHECKS, { check: 'account', code: 'ACCOUNT_NOT_READY' });
    assert.deepEqual([d.primaryCause, d.causes, d.verdict], ['ACCOUNT_NOT_READY', ['ACCOUNT_NOT_READY'], 'failing']);
    assert.equal(spent(before, await failedLogins(address)), 0, 'the provider said the mailbox cannot log in yet');
  });

  test('ACCOUNT_IN_MIGRATION: migrating@ is being moved → warn, not healthy, and logins still tried and working', async () => {
    const d = await run({ account: 'migrating@healthy.test', checks: ['account', 'imap', 'send'] });
    const r = finding(d, 'account', 'ACCOUNT_IN_MIGRATION', 'warn');
    assert.equal(r.evidence.accountState, 'internalMigration');
    assert.deepEqual((r.evidence.otherFindings as Array<{ code: string }>).map((f) => f.code), ['ACCOUNT_TASK_PENDING']);
    assert.deepEqual([result(d, 'imap').status, result(d, 'send').status], ['pass', 'pass'], summary(d));
    assert.deepEqual([d.verdict, d.primaryCause], ['degraded', 'ACCOUNT_IN_MIGRATION']);
  });

  test('ACCOUNT_TASK_PENDING: a queued password change explains the refused login of pwchange@ (one failed login)', async () => {
    const address = 'pwchange@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, checks: ['account', 'imap', 'send'] });
    const r = finding(d, 'account', 'ACCOUNT_TASK_PENDING', 'warn');
    assert.deepEqual((r.evidence.pendingTasks as Array<{ function: string; status: string }>).map((t) => [t.function, t.status]), [['changePassword', 'todo']]);
    assert.match(r.message, /password change/);
    assert.equal(finding(d, 'imap', 'AUTH_FAILED').explainedBy, 'ACCOUNT_TASK_PENDING');
    assert.deepEqual([d.primaryCause, d.verdict], ['ACCOUNT_TASK_PENDING', 'failing']);
    assert.equal(spent(before, await failedLogins(address)), 1);
  });

  test('MX_INVALID: the MX points elsewhere and the provider says mxIsValid: false → expected from expectedMX, primary cause', async () => {
    const d = await run({ account: 'user@mx-elsewhere.test', checks: ['account', 'mx', 'imap', 'receive'] });
    const r = finding(d, 'mx', 'MX_INVALID');
    assert.deepEqual([r.evidence.expectedFrom, r.evidence.expected, r.evidence.unexpected], ['provider', LAB_MX, ['mx.elsewhere.test']]);
    assert.deepEqual(r.evidence.provider, { valid: false, observed: ['mx.elsewhere.test.'], expected: LAB_MX, agreesWithDns: true });
    assert.equal(finding(d, 'receive', 'MAIL_NOT_RECEIVED').explainedBy, 'MX_INVALID');
    assert.deepEqual([d.primaryCause, d.causes], ['MX_INVALID', ['MX_INVALID']]);
  });

  test('the provider\'s own verdicts sit beside ours, and a disagreement is spelled out', async () => {
    const healthy = await run({ account: 'healthy@healthy.test', checks: ['account', 'mx', 'srv', 'spf'] });
    for (const id of ['mx', 'srv', 'spf'] as const) {
      const r = result(healthy, id);
      assert.equal(r.status, 'pass', summary(healthy));
      assert.deepEqual([(r.evidence.provider as { valid: boolean }).valid, (r.evidence.provider as { agreesWithDns: boolean }).agreesWithDns], [true, true], id);
    }
    assert.deepEqual(result(healthy, 'srv').evidence.expectedFrom, 'provider');
    assert.deepEqual(result(healthy, 'spf').evidence.requiredFrom, 'provider');
    // spf-loop.test includes the platform (OVHcloud's spfIsValid: true) but needs more than 10 lookups.
    const loop = await run({ account: 'user@spf-loop.test', checks: ['account', 'spf'] });
    const r = finding(loop, 'spf', 'SPF_INVALID', 'warn');
    const provider = r.evidence.provider as { valid: boolean; agreesWithDns: boolean; disagreement: string };
    assert.deepEqual([provider.valid, provider.agreesWithDns], [true, false]);
    assert.match(provider.disagreement, /reports the SPF record as valid/);
    assert.match(r.message, /the provider's own check disagrees \(spfIsValid: true\)/);
  });

  test('SPF_INVALID: spf-void.test names three targets that do not exist → more than 2 void lookups', async () => {
    const d = await run({ account: 'user@spf-void.test', checks: ['spf'] });
    const r = finding(d, 'spf', 'SPF_INVALID', 'warn');
    assert.deepEqual([r.evidence.voidLookups, r.evidence.voidLimit, r.evidence.missing], [3, 2, []]);
    assert.deepEqual((r.evidence.targets as Array<{ term: string; answer: string }>).filter((t) => t.answer === 'void').map((t) => t.term),
      ['a:gone1.spf-void.test', 'mx:gone2.spf-void.test', 'exists:gone3.spf-void.test']);
    assert.ok((r.evidence.reasons as string[]).some((x) => /more than 2 DNS lookups return nothing/.test(x)), JSON.stringify(r.evidence.reasons));
  });
});

describe('provider facts with PROVIDER=http', { skip }, () => {
  test('the generic contract\'s "provisioning" is ACCOUNT_NOT_READY, no login tried', async () => {
    const s = await startService({ PROVIDER: 'http', THROTTLE_MAX: '0' });
    try {
      const d = await diagnose(s, { account: 'creating@healthy.test', checks: ['account', 'imap'] });
      const r = finding(d, 'account', 'ACCOUNT_NOT_READY');
      assert.deepEqual([r.evidence.provider, r.evidence.state], ['http', 'provisioning']);
      skippedFor(d, ['imap'], { check: 'account', code: 'ACCOUNT_NOT_READY' });
    } finally {
      await s.close();
    }
  });
});
