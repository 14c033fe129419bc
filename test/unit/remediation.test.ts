import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_CODES } from '../../src/diagnostics/codes.js';
import { negotiateLocale, remediationFor } from '../../src/diagnostics/remediation.js';

test('every code has a non-empty title and text in French and English', () => {
  assert.ok(ALL_CODES.length > 30);
  for (const code of ALL_CODES) {
    for (const locale of ['fr', 'en'] as const) {
      const r = remediationFor(code, locale);
      assert.ok(r.title.trim().length > 3, `${code}/${locale} title`);
      assert.ok(r.text.trim().length > 40, `${code}/${locale} text`);
      if (r.link) assert.match(r.link, /^https:\/\//, `${code}/${locale} link`);
    }
    assert.notEqual(remediationFor(code, 'fr').text, remediationFor(code, 'en').text, `${code}: fr and en are the same text`);
  }
});

test('the guides\' fixes are present where they give one', () => {
  assert.match(remediationFor('ACCOUNT_SPAM_BLOCKED', 'fr').text, /reçoit toujours/);
  assert.match(remediationFor('ACCOUNT_EXPIRED', 'fr').text, /périodicité de facturation/);
  assert.match(remediationFor('SRV_MISSING', 'en').text, /_autodiscover\._tcp, priority 0, weight 0, port 443/);
  assert.equal(remediationFor('INCIDENT_OPEN', 'en').link, 'https://web-cloud.status-ovhcloud.com/');
  assert.match(remediationFor('ACCOUNT_SPAM_BLOCKED', 'en').link ?? '', /^https:\/\/help\.ovhcloud\.com\/csm\//);
});

test('negotiateLocale: explicit request, then Accept-Language by q, then English', () => {
  assert.equal(negotiateLocale('fr'), 'fr');
  assert.equal(negotiateLocale('fr-CA'), 'fr');
  assert.equal(negotiateLocale('de', 'fr;q=0.5'), 'fr');
  assert.equal(negotiateLocale(undefined, 'de-DE,fr;q=0.8,en;q=0.9'), 'en');
  assert.equal(negotiateLocale(undefined, 'de-DE, fr-CA;q=0.8, en;q=0.3'), 'fr');
  assert.equal(negotiateLocale(undefined, 'fr;q=0, en-GB'), 'en');
  assert.equal(negotiateLocale(undefined, 'es'), 'en');
  assert.equal(negotiateLocale(), 'en');
});
