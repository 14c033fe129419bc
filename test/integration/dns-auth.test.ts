// SPF and DMARC of the mailbox's domain through the API (HTTP → queue → worker → checks against the
// lab's dnsmasq TXT records): every code from a real lab fault, its evidence, remediation and rank.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { failedLogins } from '../lab/logs.js';
import { LAB_SPF_INCLUDE } from '../lab/scenarios.js';
import { diagnose, finding, result, summary } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/dns-auth.test.ts';

describe('SPF and DMARC through the API (lab profile: spf.include = spf.lab.test)', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ RECEIVE_TIMEOUT_MS: '6000', THROTTLE_MAX: '0' });
  });
  after(() => s?.close());

  test('healthy.test: every check, both pass, verdict healthy, no password spent on them', async () => {
    const address = 'healthy@healthy.test';
    const d = await diagnose(s, { account: address });
    assert.equal(d.verdict, 'healthy', summary(d));
    const spf = result(d, 'spf');
    assert.equal(spf.status, 'pass', summary(d));
    assert.deepEqual(
      [spf.evidence.records, spf.evidence.required, spf.evidence.missing, spf.evidence.all, spf.evidence.lookups, spf.evidence.reached],
      [[`v=spf1 include:${LAB_SPF_INCLUDE} -all`], [LAB_SPF_INCLUDE], [], '-', 1, [LAB_SPF_INCLUDE]],
    );
    assert.deepEqual((spf.evidence.chain as Array<{ name: string; record: string }>).map((c) => [c.name, c.record]),
      [['healthy.test', `v=spf1 include:${LAB_SPF_INCLUDE} -all`], [LAB_SPF_INCLUDE, 'v=spf1 ip4:127.0.0.0/8 -all']]);
    const dmarc = result(d, 'dmarc');
    assert.equal(dmarc.status, 'pass', summary(d));
    assert.deepEqual([dmarc.evidence.name, dmarc.evidence.policy, dmarc.evidence.pct, dmarc.evidence.rua, dmarc.evidence.adkim, dmarc.evidence.aspf],
      ['_dmarc.healthy.test', 'quarantine', 100, ['mailto:dmarc-reports@lab.test'], 'r', 's']);
  });

  test('SPF_MISSING: spf-missing.test has no v=spf1 record → warn, degraded, primary cause', async () => {
    const d = await diagnose(s, { account: 'user@spf-missing.test', checks: ['account', 'mx', 'spf', 'dmarc'], locale: 'fr' });
    const r = finding(d, 'spf', 'SPF_MISSING', 'warn');
    assert.deepEqual([r.evidence.records, r.evidence.required], [[], [LAB_SPF_INCLUDE]]);
    assert.match(r.remediation!.fr.text, /include:mx\.ovh\.com/);
    assert.equal(result(d, 'dmarc').status, 'pass');
    assert.deepEqual([d.verdict, d.primaryCause, d.causes], ['degraded', 'SPF_MISSING', ['SPF_MISSING']]);
  });

  test('SPF_INVALID: spf-wrong.test does not include the platform → the missing include named', async () => {
    const d = await diagnose(s, { account: 'user@spf-wrong.test', checks: ['spf', 'dmarc'] });
    const r = finding(d, 'spf', 'SPF_INVALID', 'warn');
    assert.deepEqual([r.evidence.missing, r.evidence.all, r.evidence.lookups], [[LAB_SPF_INCLUDE], '~', 0]);
    assert.match(r.message, /not authorised: no include:spf\.lab\.test/);
    assert.equal(d.primaryCause, 'SPF_INVALID');
  });

  test('SPF_INVALID: spf-double.test publishes two SPF records', async () => {
    const d = await diagnose(s, { account: 'user@spf-double.test', checks: ['spf'] });
    const r = finding(d, 'spf', 'SPF_INVALID', 'warn');
    assert.equal((r.evidence.records as string[]).length, 2);
    assert.match(String((r.evidence.reasons as string[])[0]), /2 SPF records; RFC 7208 allows one/);
  });

  test('SPF_INVALID: spf-loop.test includes itself → more than 10 DNS lookups, counted', async () => {
    const d = await diagnose(s, { account: 'user@spf-loop.test', checks: ['spf'] });
    const r = finding(d, 'spf', 'SPF_INVALID', 'warn');
    assert.ok(Number(r.evidence.lookups) > 10 && r.evidence.lookupLimit === 10, JSON.stringify(r.evidence));
    assert.ok((r.evidence.reasons as string[]).some((x) => /more than 10 DNS lookups/.test(x)), JSON.stringify(r.evidence.reasons));
    assert.deepEqual(r.evidence.missing, [], 'the platform is included: only the count is wrong');
  });

  test('DMARC_MISSING: dmarc-missing.test has no _dmarc record', async () => {
    const d = await diagnose(s, { account: 'user@dmarc-missing.test', checks: ['spf', 'dmarc'] });
    const r = finding(d, 'dmarc', 'DMARC_MISSING', 'warn');
    assert.deepEqual(r.evidence.tried, [{ name: '_dmarc.dmarc-missing.test', answer: 'nxdomain' }]);
    assert.equal(result(d, 'spf').status, 'pass');
    assert.deepEqual([d.verdict, d.primaryCause], ['degraded', 'DMARC_MISSING']);
  });

  test('DMARC_INVALID: dmarc-invalid.test has p=block and pct=150', async () => {
    const d = await diagnose(s, { account: 'user@dmarc-invalid.test', checks: ['dmarc'] });
    const r = finding(d, 'dmarc', 'DMARC_INVALID', 'warn');
    assert.equal(r.evidence.record, 'v=DMARC1; p=block; pct=150');
    assert.deepEqual(r.evidence.problems, ['p=block: the policy must be none, quarantine or reject', 'pct=150: must be a whole number from 0 to 100']);
    assert.equal(r.evidence.policy, null);
  });

  test('built-in profile hosted-eu requires include:mx.ovh.com; SPF ranks after the MX failure', async () => {
    // Another healthy.test mailbox: one account's diagnostics may not overlap (409).
    const address = 'junk@healthy.test';
    const before = await failedLogins(address);
    const d = await diagnose(s, { account: address, platform: 'hosted-eu', checks: ['mx', 'spf', 'dmarc'] });
    const r = finding(d, 'spf', 'SPF_INVALID', 'warn');
    assert.deepEqual([r.evidence.required, r.evidence.missing], [['mx.ovh.com'], ['mx.ovh.com']]);
    assert.equal(result(d, 'mx').code, 'MX_INVALID');
    assert.equal(r.explainedBy, undefined, 'an independent warning');
    assert.deepEqual([d.verdict, d.primaryCause, d.causes], ['failing', 'MX_INVALID', ['MX_INVALID', 'SPF_INVALID']]);
    assert.deepEqual(await failedLogins(address), before, 'the checks never log in');
  });
});

describe('SPF and DMARC when DNS does not answer', { skip }, () => {
  test('DNS_ERROR: a refused resolver → both error DNS_ERROR, verdict inconclusive', async () => {
    const s = await startService({ DNS_SERVERS: '127.0.0.1:9', DNS_TIMEOUT_MS: '500', THROTTLE_MAX: '0' });
    try {
      const d = await diagnose(s, { account: 'healthy@healthy.test', checks: ['spf', 'dmarc'] });
      for (const id of ['spf', 'dmarc'] as const) {
        const r = result(d, id);
        assert.deepEqual([r.status, r.code], ['error', 'DNS_ERROR'], summary(d));
      }
      assert.equal(d.verdict, 'inconclusive');
    } finally {
      await s.close();
    }
  });
});
