// Reports in every format and both languages: root cause first with its fix, each check with
// its status, code, evidence, explainedBy/skippedBecause; remote text escaped everywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { remediationFor } from '../../src/diagnostics/remediation.js';
import { renderReport } from '../../src/report/render.js';

const EVIL = '<script>alert(1)</script> # Heading [x](javascript:alert(1)) | col';

function record(over: Partial<DiagnosticRecord> = {}): DiagnosticRecord {
  return {
    id: 'd_0123456789', clientId: 'c1', account: 'wrongpw@healthy.test', platform: 'lab', checks: ['mx', 'imap', 'send', 'receive', 'autodiscover'],
    locale: 'en', metadata: { ticket: 'TCK-4242' }, status: 'completed',
    progress: { total: 5, completed: 5, running: [] },
    results: [
      { id: 'mx', status: 'pass', message: 'MX records match the platform', evidence: { mx: ['10 mx1.lab.test', '20 mx2.lab.test'] }, durationMs: 12, startedAt: '2030-01-01T00:00:00.000Z' },
      {
        id: 'imap', status: 'fail', code: 'AUTH_FAILED', message: `IMAP login rejected: ${EVIL}`,
        evidence: { host: 'ex.lab.test', response: 'NO [AUTHENTICATIONFAILED] Authentication failed.', banner: EVIL },
        durationMs: 2100, startedAt: '2030-01-01T00:00:00.000Z',
        remediation: { fr: remediationFor('AUTH_FAILED', 'fr'), en: remediationFor('AUTH_FAILED', 'en') },
      },
      { id: 'send', status: 'skipped', message: 'skipped: imap got AUTH_FAILED', evidence: {}, durationMs: 0, startedAt: '2030-01-01T00:00:00.000Z', skippedBecause: { check: 'imap', code: 'AUTH_FAILED' } },
      {
        id: 'autodiscover', status: 'fail', code: 'AUTODISCOVER_FAILED', message: 'Autodiscover answered 401', evidence: { status: 401 },
        durationMs: 40, startedAt: '2030-01-01T00:00:00.000Z', explainedBy: 'AUTH_FAILED',
        remediation: { fr: remediationFor('AUTODISCOVER_FAILED', 'fr'), en: remediationFor('AUTODISCOVER_FAILED', 'en') },
      },
      { id: 'receive', status: 'warn', code: 'MAIL_IN_JUNK', message: 'test message filed into Junk', evidence: { mailbox: 'Junk' }, durationMs: 900, startedAt: '2030-01-01T00:00:00.000Z' },
    ],
    verdict: 'failing', primaryCause: 'AUTH_FAILED', causes: ['AUTH_FAILED', 'MAIL_IN_JUNK'],
    createdAt: '2030-01-01T00:00:00.000Z', startedAt: '2030-01-01T00:00:00.100Z', finishedAt: '2030-01-01T00:00:03.200Z', durationMs: 3100,
    ...over,
  };
}

const before = (s: string, a: string, b: string) => {
  const i = s.indexOf(a);
  const j = s.indexOf(b);
  assert.ok(i >= 0, `missing ${a}`);
  assert.ok(j >= 0, `missing ${b}`);
  assert.ok(i < j, `${a} should come before ${b}`);
};

describe('renderReport text', () => {
  const t = renderReport(record(), { format: 'text', locale: 'en' });
  it('puts metadata first, then verdict and root cause with its fix, then checks', () => {
    before(t, 'TCK-4242', 'Verdict: Not working');
    before(t, 'Verdict: Not working', 'Root cause: AUTH_FAILED');
    before(t, 'Root cause: AUTH_FAILED', 'Checks:');
    assert.ok(t.includes(remediationFor('AUTH_FAILED', 'en').text));
    assert.ok(t.includes(remediationFor('MAIL_IN_JUNK', 'en').title), 'independent warning listed');
  });
  it('shows each check with status, code, evidence, explainedBy and skippedBecause', () => {
    assert.match(t, /\[FAIL\] IMAP sign-in — AUTH_FAILED \(2\.1 s\)/);
    assert.match(t, /\[ OK \] MX records/);
    assert.match(t, /Not run because: IMAP sign-in \(AUTH_FAILED\)/);
    assert.match(t, /Consequence of: AUTH_FAILED/);
    assert.match(t, /response: NO \[AUTHENTICATIONFAILED\]/);
    assert.match(t, /mx: 10 mx1\.lab\.test, 20 mx2\.lab\.test/);
  });
});

describe('renderReport markdown', () => {
  const m = renderReport(record(), { format: 'markdown', locale: 'en' });
  it('escapes remote text so it cannot inject HTML, headings or links', () => {
    assert.ok(!m.includes('<script>'));
    assert.ok(m.includes('\\<script\\>'));
    assert.ok(!m.includes('[x](javascript'));
    assert.ok(!/^#+ Heading/m.test(m));
  });
  it('links the fix and keeps the order', () => {
    const fix = remediationFor('AUTH_FAILED', 'en');
    before(m, '**Reference · ticket**: TCK-4242', '### Root cause');
    before(m, '### Root cause', '### Checks');
    if (fix.link) assert.ok(m.includes(`<${fix.link}>`));
    assert.match(m, /❌ \*\*IMAP sign-in\*\* — Failed `AUTH_FAILED`/);
  });
});

describe('renderReport html', () => {
  const h = renderReport(record(), { format: 'html', locale: 'en' });
  it('is a self-contained, escaped, accessible document', () => {
    assert.match(h, /^<!doctype html>/);
    assert.match(h, /<html lang="en">/);
    assert.ok(!h.includes('<script'), 'no script, not even from evidence');
    assert.ok(h.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.ok(!/<link|src=/.test(h), 'no remote assets');
    assert.match(h, /<th scope="col">/);
    assert.match(h, /<tr data-check="imap" data-status="fail"><th scope="row">IMAP sign-in<\/th>/);
    assert.match(h, /data-verdict="failing"/);
    before(h, 'TCK-4242', 'Root cause');
  });
  it('renders a fragment for embedding', () => {
    const f = renderReport(record(), { format: 'html', locale: 'en', fragment: true });
    assert.match(f, /^<article class="exdiag-report" lang="en"/);
    assert.ok(!f.includes('<html'));
  });
});

describe('localisation', () => {
  it('speaks French with the French fix', () => {
    const t = renderReport(record(), { format: 'text', locale: 'fr' });
    assert.match(t, /Verdict : |Verdict: Ne fonctionne pas/);
    assert.ok(t.includes('Cause principale: AUTH_FAILED'));
    assert.ok(t.includes(remediationFor('AUTH_FAILED', 'fr').text));
    assert.ok(t.includes('Connexion IMAP'));
  });
  it('says when a diagnostic is not finished and has no verdict yet', () => {
    const r = record({ status: 'running', verdict: undefined, primaryCause: undefined, causes: undefined, finishedAt: undefined, durationMs: undefined, results: [] });
    const t = renderReport(r, { format: 'text', locale: 'en' });
    assert.match(t, /not finished yet/);
    assert.ok(!t.includes('Verdict'));
  });
  it('reports a healthy run plainly', () => {
    const r = record({ account: 'healthy@healthy.test', verdict: 'healthy', primaryCause: undefined, causes: [], results: [record().results[0]] });
    const m = renderReport(r, { format: 'markdown', locale: 'en' });
    assert.match(m, /\*\*Verdict: Healthy\*\*/);
    assert.match(m, /No problem found\./);
  });
});
