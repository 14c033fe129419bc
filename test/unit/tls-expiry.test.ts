// The one "is this certificate about to expire" decision (TLS_EXPIRING) and the per-origin record
// of the certificates HTTPS connections presented.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { certExpiring, sessionCertExpiring, withCertExpiry } from '../../src/checks/tls-expiry.js';
import { createPeerCertificates } from '../../src/net/peer-certs.js';
import type { Code } from '../../src/diagnostics/codes.js';
import { analyse, RANK } from '../../src/run/root-cause.js';
import type { CheckOutcome, CheckResult } from '../../src/diagnostics/types.js';

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-11-23T08:00:00Z');
const cert = (msFromNow: number) => ({
  subject: 'CN=ex.lab.test', issuer: 'O=lab, CN=lab CA', validFrom: new Date(NOW - 30 * DAY).toISOString(),
  validTo: new Date(NOW + msFromNow).toISOString(), expired: msFromNow < 0,
});

describe('certExpiring', () => {
  test('5 days left with a 14-day threshold → expiring, 5 days, subject and issuer kept', () => {
    assert.deepEqual(certExpiring('ex.lab.test', cert(5 * DAY), NOW, 14), {
      host: 'ex.lab.test', notAfter: '2026-11-28T08:00:00.000Z', daysLeft: 5, subject: 'CN=ex.lab.test', issuer: 'O=lab, CN=lab CA',
    });
  });
  test('part of a day counts as a day (as DOMAIN_EXPIRING counts)', () => {
    assert.equal(certExpiring('h', cert(4 * DAY + 1000), NOW, 14)?.daysLeft, 5);
    assert.equal(certExpiring('h', cert(3600_000), NOW, 14)?.daysLeft, 1);
  });
  test('the threshold is exclusive: exactly 14 days left is not yet expiring, a second less is', () => {
    assert.equal(certExpiring('h', cert(14 * DAY), NOW, 14), undefined);
    assert.equal(certExpiring('h', cert(14 * DAY - 1000), NOW, 14)?.daysLeft, 14);
  });
  test('a year left → not expiring', () => {
    assert.equal(certExpiring('h', cert(365 * DAY), NOW, 14), undefined);
  });
  test('threshold 0 never warns', () => {
    assert.equal(certExpiring('h', cert(1000), NOW, 0), undefined);
  });
  test('no certificate or no date → undefined; an unparseable date too', () => {
    assert.equal(certExpiring('h', undefined, NOW, 14), undefined);
    assert.equal(certExpiring('h', { subject: 'CN=h' }, NOW, 14), undefined);
    assert.equal(certExpiring('h', { validTo: 'not a date' }, NOW, 14), undefined);
  });
  test('already past (never verified, but never negative days)', () => {
    assert.equal(certExpiring('h', cert(-DAY), NOW, 14)?.daysLeft, 0);
  });
});

describe('sessionCertExpiring', () => {
  test('only a verified session\'s certificate is judged', () => {
    assert.equal(sessionCertExpiring('h', { authorized: true, cert: cert(DAY) }, NOW, 14)?.daysLeft, 1);
    assert.equal(sessionCertExpiring('h', { authorized: false, authorizationError: 'CERT_HAS_EXPIRED', cert: cert(DAY) }, NOW, 14), undefined);
    assert.equal(sessionCertExpiring('h', { error: 'timeout' }, NOW, 14), undefined);
    assert.equal(sessionCertExpiring('h', undefined, NOW, 14), undefined);
  });
});

describe('withCertExpiry', () => {
  const expiry = certExpiring('ex.lab.test', cert(5 * DAY), NOW, 14)!;
  const pass: CheckOutcome = { status: 'pass', message: 'IMAP login to ex.lab.test:993 succeeded', evidence: { host: 'ex.lab.test', port: 993 } };

  test('a pass becomes warn TLS_EXPIRING with the expiry in evidence, the rest kept', () => {
    const out = withCertExpiry(pass, expiry);
    assert.equal(out.status, 'warn');
    assert.equal(out.code, 'TLS_EXPIRING');
    assert.match(out.message, /^IMAP login to ex\.lab\.test:993 succeeded, but the certificate of ex\.lab\.test expires on 2026-11-28, in 5 days$/);
    assert.deepEqual(out.evidence, { host: 'ex.lab.test', port: 993, notAfter: expiry.notAfter, daysLeft: 5, subject: expiry.subject, issuer: expiry.issuer });
  });
  test('a failure of the check\'s own purpose keeps its status and code; the expiry goes in evidence.tlsExpiring', () => {
    const fail: CheckOutcome = { status: 'fail', code: 'AUTH_FAILED', message: 'refused', evidence: { host: 'ex.lab.test' } };
    const out = withCertExpiry(fail, expiry);
    assert.deepEqual([out.status, out.code, out.message], ['fail', 'AUTH_FAILED', 'refused']);
    assert.deepEqual(out.evidence, { host: 'ex.lab.test', tlsExpiring: expiry });
  });
  test('nothing expiring, or a skipped check → unchanged', () => {
    assert.equal(withCertExpiry(pass, undefined), pass);
    const skipped: CheckOutcome = { status: 'skipped', message: 's', evidence: {} };
    assert.equal(withCertExpiry(skipped, expiry), skipped);
  });
});

describe('createPeerCertificates', () => {
  const peer = { subject: { CN: 'ex.lab.test' }, issuer: { CN: 'lab CA' }, valid_from: 'Nov 22 08:00:00 2026 GMT', valid_to: 'Nov 28 08:00:00 2026 GMT', subjectaltname: 'DNS:ex.lab.test' };
  const socket = (authorized: boolean) => ({ authorized, getPeerCertificate: () => peer });

  test('keyed by origin: host case-insensitive, default port 443, other ports apart', () => {
    const certs = createPeerCertificates();
    certs.record({ hostname: 'EX.lab.test', port: '', servername: 'ex.lab.test' }, socket(true));
    assert.equal(certs.forUrl('https://ex.lab.test/EWS/Exchange.asmx')?.validTo, '2026-11-28T08:00:00.000Z');
    assert.equal(certs.forUrl('https://Ex.Lab.Test:443/owa/')?.subject, 'CN=ex.lab.test');
    assert.equal(certs.forUrl('https://ex.lab.test:8443/'), undefined);
    assert.equal(certs.forUrl('http://ex.lab.test/'), undefined, 'plain http has no certificate');
    assert.equal(certs.forUrl('not a url'), undefined);
  });
  test('only verified TLS sockets are recorded', () => {
    const certs = createPeerCertificates();
    certs.record({ hostname: 'a.test', port: 443 }, socket(false));
    certs.record({ hostname: 'b.test', port: 443 }, { authorized: true });
    assert.equal(certs.forUrl('https://a.test/'), undefined);
    assert.equal(certs.forUrl('https://b.test/'), undefined);
  });
  test('bounded: the oldest origin is forgotten first', () => {
    const certs = createPeerCertificates(2);
    for (const h of ['a.test', 'b.test', 'c.test']) certs.record({ hostname: h, port: 443 }, socket(true));
    assert.equal(certs.forUrl('https://a.test/'), undefined);
    assert.ok(certs.forUrl('https://b.test/') && certs.forUrl('https://c.test/'));
  });
});

describe('TLS_EXPIRING in the root cause', () => {
  const r = (id: CheckResult['id'], status: CheckResult['status'], code?: Code): CheckResult =>
    ({ id, status, code, message: '', evidence: {}, durationMs: 1, startedAt: new Date(NOW).toISOString() });
  test('alone it degrades and is the primary cause', () => {
    const a = analyse([r('imap', 'warn', 'TLS_EXPIRING'), r('send', 'warn', 'TLS_EXPIRING'), r('mx', 'pass')]);
    assert.deepEqual([a.verdict, a.primaryCause, a.causes], ['degraded', 'TLS_EXPIRING', ['TLS_EXPIRING']]);
  });
  test('it explains nothing: a failure stays primary, the warning stays an independent cause', () => {
    const a = analyse([r('imap', 'warn', 'TLS_EXPIRING'), r('send', 'fail', 'SEND_REJECTED'), r('webmail', 'fail', 'WEBMAIL_UNREACHABLE')]);
    assert.deepEqual([a.verdict, a.primaryCause, a.causes], ['failing', 'WEBMAIL_UNREACHABLE', ['WEBMAIL_UNREACHABLE', 'SEND_REJECTED', 'TLS_EXPIRING']]);
    assert.ok(a.checks.every((c) => !c.explainedBy));
  });
  test('it ranks right after TLS_INVALID', () => {
    assert.equal(RANK.indexOf('TLS_EXPIRING'), RANK.indexOf('TLS_INVALID') + 1);
  });
});
