// The root-cause rules as a table: findings in, primary cause and explanations out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Code } from '../../src/diagnostics/codes.js';
import { analyse } from '../../src/run/root-cause.js';
import type { CheckId, CheckResult, CheckStatus } from '../../src/diagnostics/types.js';

const r = (id: CheckId, status: CheckStatus, code?: Code): CheckResult => ({
  id, status, code, message: '', evidence: {}, durationMs: 1, startedAt: '2026-01-01T00:00:00Z',
});

const table: Array<{ name: string; checks: CheckResult[]; verdict: string; primary?: Code; causes: Code[]; explained: Partial<Record<CheckId, Code>> }> = [
  { name: 'all pass', checks: [r('mx', 'pass'), r('imap', 'pass')], verdict: 'healthy', causes: [], explained: {} },
  { name: 'suspended explains cannot send and not received',
    checks: [r('account', 'fail', 'ACCOUNT_SUSPENDED'), r('send', 'fail', 'SEND_REJECTED'), r('receive', 'fail', 'MAIL_NOT_RECEIVED'), r('mx', 'pass')],
    verdict: 'failing', primary: 'ACCOUNT_SUSPENDED', causes: ['ACCOUNT_SUSPENDED'], explained: { send: 'ACCOUNT_SUSPENDED', receive: 'ACCOUNT_SUSPENDED' } },
  { name: 'invalid MX explains not received',
    checks: [r('mx', 'fail', 'MX_INVALID'), r('receive', 'fail', 'MAIL_NOT_RECEIVED'), r('imap', 'pass')],
    verdict: 'failing', primary: 'MX_INVALID', causes: ['MX_INVALID'], explained: { receive: 'MX_INVALID' } },
  { name: 'wrong password with skipped logins', checks: [r('imap', 'fail', 'AUTH_FAILED'), r('send', 'skipped'), r('autodiscover', 'skipped')],
    verdict: 'failing', primary: 'AUTH_FAILED', causes: ['AUTH_FAILED'], explained: {} },
  { name: 'independent problems are all listed, the more fundamental first',
    checks: [r('srv', 'fail', 'SRV_MISSING'), r('autodiscover', 'fail', 'AUTODISCOVER_FAILED'), r('mx', 'fail', 'MX_INVALID'), r('account', 'fail', 'ACCOUNT_SPAM_BLOCKED'), r('send', 'fail', 'SEND_REJECTED')],
    verdict: 'failing', primary: 'ACCOUNT_SPAM_BLOCKED', causes: ['ACCOUNT_SPAM_BLOCKED', 'MX_INVALID', 'SRV_MISSING'],
    explained: { autodiscover: 'SRV_MISSING', send: 'ACCOUNT_SPAM_BLOCKED' } },
  { name: 'an open incident explains unreachable servers and becomes the primary cause',
    checks: [r('incidents', 'warn', 'INCIDENT_OPEN'), r('imap', 'fail', 'IMAP_UNREACHABLE'), r('mx', 'pass')],
    verdict: 'failing', primary: 'INCIDENT_OPEN', causes: ['INCIDENT_OPEN'], explained: { imap: 'INCIDENT_OPEN' } },
  { name: 'a lone warning degrades', checks: [r('domain', 'warn', 'DOMAIN_EXPIRING'), r('mx', 'pass')],
    verdict: 'degraded', primary: 'DOMAIN_EXPIRING', causes: ['DOMAIN_EXPIRING'], explained: {} },
  { name: 'a failure outranks an unrelated warning', checks: [r('domain', 'warn', 'DOMAIN_EXPIRING'), r('mx', 'fail', 'MX_MISSING')],
    verdict: 'failing', primary: 'MX_MISSING', causes: ['MX_MISSING', 'DOMAIN_EXPIRING'], explained: {} },
  { name: 'our own error makes the run inconclusive', checks: [r('mx', 'error', 'DNS_ERROR'), r('imap', 'pass')],
    verdict: 'inconclusive', causes: [], explained: {} },
  { name: 'an expired domain explains missing records', checks: [r('domain', 'fail', 'DOMAIN_EXPIRED'), r('mx', 'fail', 'MX_MISSING'), r('srv', 'fail', 'SRV_MISSING')],
    verdict: 'failing', primary: 'DOMAIN_EXPIRED', causes: ['DOMAIN_EXPIRED'], explained: { mx: 'DOMAIN_EXPIRED', srv: 'DOMAIN_EXPIRED' } },
  { name: 'MTA-STS in enforce mode that no MX passes explains mail not received', checks: [r('mx', 'pass'), r('mx-tls', 'fail', 'MTA_STS_BLOCKS_MAIL'), r('receive', 'fail', 'MAIL_NOT_RECEIVED')],
    verdict: 'failing', primary: 'MTA_STS_BLOCKS_MAIL', causes: ['MTA_STS_BLOCKS_MAIL'], explained: { receive: 'MTA_STS_BLOCKS_MAIL' } },
  { name: 'an MX pointing elsewhere explains that host\'s TLS problems', checks: [r('mx', 'fail', 'MX_INVALID'), r('mx-tls', 'warn', 'MX_TLS_INVALID')],
    verdict: 'failing', primary: 'MX_INVALID', causes: ['MX_INVALID'], explained: { 'mx-tls': 'MX_INVALID' } },
  { name: 'a blocklisted sending address ranks before the domain\'s own DKIM and SPF warnings',
    checks: [r('spf', 'warn', 'SPF_MISSING'), r('dkim', 'warn', 'DKIM_NOT_ENABLED'), r('outbound', 'warn', 'OUTBOUND_IP_LISTED'), r('mx-tls', 'warn', 'TLSRPT_INVALID')],
    verdict: 'degraded', primary: 'OUTBOUND_IP_LISTED', causes: ['OUTBOUND_IP_LISTED', 'DKIM_NOT_ENABLED', 'SPF_MISSING', 'TLSRPT_INVALID'], explained: {} },
];

for (const row of table) {
  test(`root cause: ${row.name}`, () => {
    const a = analyse(row.checks);
    assert.equal(a.verdict, row.verdict);
    assert.equal(a.primaryCause, row.primary);
    assert.deepEqual(a.causes, row.causes);
    const explained = Object.fromEntries(a.checks.filter((c) => c.explainedBy).map((c) => [c.id, c.explainedBy]));
    assert.deepEqual(explained, row.explained);
  });
}
