// Every failure the support guides describe, produced by a real lab fault and diagnosed through the
// API (HTTP → queue → worker → checks against the lab's DNS, Postfix, Dovecot and HTTPS stand-ins):
// code, key evidence, root cause, fr/en remediation, and the lockout and throttling promises.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Code } from '../../src/diagnostics/codes.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import type { CheckId } from '../../src/diagnostics/types.js';
import { failedLogins, type FailedLogins } from '../lab/logs.js';
import { INBOUND_REJECT_REPLY, SPAM_BLOCK_REPLY } from '../lab/postfix.js';
import { ADDR, OVH, STATUS, mailbox } from '../lab/scenarios.js';
import { diagnose, finding, result, summary, type Ask } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/guides.test.ts';

/**
 * Diagnoses through one service. A client may not run two diagnostics of one account at once
 * (409), so asks for the same account wait for each other; different accounts run concurrently.
 */
function diagnoser(service: () => Service) {
  const lanes = new Map<string, Promise<unknown>>();
  return (ask: Ask): Promise<DiagnosticRecord> => {
    const next = (lanes.get(ask.account) ?? Promise.resolve()).catch(() => undefined).then(() => diagnose(service(), ask));
    lanes.set(ask.account, next);
    return next;
  };
}

/** Several tests read one diagnostic: it runs once. */
function shared(run: (ask: Ask) => Promise<DiagnosticRecord>) {
  const runs = new Map<string, Promise<DiagnosticRecord>>();
  return (key: string, ask: Ask) => runs.get(key) ?? runs.set(key, run(ask)).get(key)!;
}

/** A service with settings of its own for one test, closed whatever happens. */
async function withService(overrides: Record<string, string>, fn: (s: Service) => Promise<void>): Promise<void> {
  const s = await startService(overrides);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

/** Each check is skipped and names the root prerequisite: nothing ran into a wall already found. */
function skippedFor(d: DiagnosticRecord, ids: CheckId[], because: { check: CheckId; code: Code }): void {
  for (const id of ids) {
    const r = result(d, id);
    assert.equal(r.status, 'skipped', `${id}: ${summary(d)}`);
    assert.deepEqual(r.skippedBecause, because, `${id}: ${summary(d)}`);
  }
}

const spent = (b: FailedLogins, a: FailedLogins) => (a.imap - b.imap) + (a.smtp - b.smtp) + (a.http - b.http);

const FR = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };
const PASSWORD_CHECKS: CheckId[] = ['autodiscover', 'webmail', 'imap', 'send', 'receive'];

describe('the guides\' failures through the API (PROVIDER=ovhcloud)', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    // Short receive wait: the lab delivers in milliseconds and drops dropped.test's mail.
    s = await startService({ RECEIVE_TIMEOUT_MS: '6000', THROTTLE_MAX: '0' });
    assert.equal(s.config.PROVIDER, 'ovhcloud', 'the lab configures the OVHcloud stand-in');
  });
  after(() => s?.close());
  const run = diagnoser(() => s);
  const once = shared(run);

  // account (provider API)
  test('ACCOUNT_NOT_FOUND: ghost@ is unknown to the provider; no login is tried', async () => {
    const d = await run({ account: 'ghost@healthy.test', checks: ['account', 'webmail', 'imap', 'send', 'receive'], locale: 'fr' });
    const r = finding(d, 'account', 'ACCOUNT_NOT_FOUND');
    assert.ok(r.evidence.provider === 'ovhcloud' && /no such account/.test(String(r.evidence.reason)), JSON.stringify(r.evidence));
    skippedFor(d, ['webmail', 'imap', 'send', 'receive'], { check: 'account', code: 'ACCOUNT_NOT_FOUND' });
    assert.equal(d.primaryCause, 'ACCOUNT_NOT_FOUND');
    assert.equal(d.locale, 'fr', 'locale: fr is kept');
  });

  test('ACCOUNT_SUSPENDED: suspended@ → send/receive/logins skipped, zero failed logins', async () => {
    const address = 'suspended@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, checks: ['account', ...PASSWORD_CHECKS], headers: FR });
    const r = finding(d, 'account', 'ACCOUNT_SUSPENDED');
    assert.equal(r.evidence.accountState, 'suspended');
    skippedFor(d, PASSWORD_CHECKS, { check: 'account', code: 'ACCOUNT_SUSPENDED' });
    assert.deepEqual([d.primaryCause, d.causes], ['ACCOUNT_SUSPENDED', ['ACCOUNT_SUSPENDED']]);
    assert.equal(d.verdict, 'failing');
    assert.equal(d.locale, 'fr', 'Accept-Language: fr is honoured');
    assert.equal(spent(before, await failedLogins(address)), 0, 'the provider said the account cannot log in');
  });

  test('ACCOUNT_EXPIRED: expired@ → expiry date in the past, logins skipped', async () => {
    const d = await run({ account: 'expired@healthy.test', checks: ['account', 'imap', 'send'] });
    const r = finding(d, 'account', 'ACCOUNT_EXPIRED');
    assert.ok(Date.parse(String(r.evidence.expirationDate)) < Date.now(), JSON.stringify(r.evidence));
    skippedFor(d, ['imap', 'send'], { check: 'account', code: 'ACCOUNT_EXPIRED' });
    assert.equal(d.primaryCause, 'ACCOUNT_EXPIRED');
    assert.equal(d.locale, 'en', 'English without a locale or Accept-Language');
  });

  test('ACCOUNT_SPAM_BLOCKED: spammer@ → send SEND_REJECTED (5.7.1) explained by it', async () => {
    const d = await run({ account: 'spammer@healthy.test', checks: ['account', 'imap', 'send'] });
    const r = finding(d, 'account', 'ACCOUNT_SPAM_BLOCKED');
    assert.match(String(r.evidence.spamTicketNumber), /4242/);
    assert.match(r.message, /ticket \S*4242/);
    assert.equal(result(d, 'imap').status, 'pass', 'a spam-blocked account still logs in');
    const send = finding(d, 'send', 'SEND_REJECTED');
    assert.deepEqual([send.evidence.enhancedStatus, send.explainedBy], ['5.7.1', 'ACCOUNT_SPAM_BLOCKED']);
    assert.deepEqual([d.primaryCause, d.causes], ['ACCOUNT_SPAM_BLOCKED', ['ACCOUNT_SPAM_BLOCKED']]);
  });

  test('ACCOUNT_LOCKED: locked@ → lockout policy in evidence, zero failed logins', async () => {
    const address = 'locked@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, checks: ['account', 'autodiscover', 'webmail', 'imap', 'send'] });
    const r = finding(d, 'account', 'ACCOUNT_LOCKED');
    assert.equal((r.evidence.lockoutPolicy as { threshold?: number }).threshold, OVH.lockout.lockoutThreshold);
    skippedFor(d, ['autodiscover', 'webmail', 'imap', 'send'], { check: 'account', code: 'ACCOUNT_LOCKED' });
    assert.equal(d.primaryCause, 'ACCOUNT_LOCKED');
    assert.equal(spent(before, await failedLogins(address)), 0, 'a locked account must not be tried (it would extend the lock)');
  });

  test('PROTOCOL_DISABLED: imapoff@ → imap skipped, sending still works', async () => {
    const d = await run({ account: 'imapoff@healthy.test', checks: ['account', 'imap', 'send'] });
    const r = finding(d, 'account', 'PROTOCOL_DISABLED');
    assert.ok((r.evidence.disabledProtocols as string[]).includes('imap'), JSON.stringify(r.evidence));
    skippedFor(d, ['imap'], { check: 'account', code: 'PROTOCOL_DISABLED' });
    assert.equal(result(d, 'send').status, 'pass', summary(d));
    assert.equal(d.primaryCause, 'PROTOCOL_DISABLED');
  });

  // domain (RDAP)
  test('DOMAIN_NOT_REGISTERED: unregistered.test → RDAP 404', async () => {
    const d = await run({ account: 'user@unregistered.test', checks: ['account', 'domain', 'mx'] });
    const r = finding(d, 'domain', 'DOMAIN_NOT_REGISTERED');
    assert.equal(r.evidence.status, 404);
    assert.match(String(r.evidence.url), /^https:\/\/rdap\.lab\.test\/.*domain\/unregistered\.test$/);
    assert.equal(d.primaryCause, 'DOMAIN_NOT_REGISTERED');
  });

  test('DOMAIN_EXPIRED: expired-domain.test → expiry 10 days ago', async () => {
    const d = await run({ account: 'user@expired-domain.test', checks: ['domain', 'mx'] });
    const r = finding(d, 'domain', 'DOMAIN_EXPIRED');
    assert.ok(Date.parse(String(r.evidence.expiration)) < Date.now(), JSON.stringify(r.evidence));
    assert.equal(d.primaryCause, 'DOMAIN_EXPIRED');
  });

  test('DOMAIN_EXPIRING: expiring.test → warn, 5 days left, verdict degraded', async () => {
    const d = await run({ account: 'user@expiring.test', checks: ['domain', 'mx'] });
    const r = finding(d, 'domain', 'DOMAIN_EXPIRING', 'warn');
    assert.equal(r.evidence.daysLeft, 5);
    assert.equal(result(d, 'mx').status, 'pass');
    assert.deepEqual([d.primaryCause, d.verdict], ['DOMAIN_EXPIRING', 'degraded']);
  });

  // DNS: MX and SRV, Autodiscover
  test('MX_MISSING: mx-missing.test → MAIL_NOT_RECEIVED explained by it', async () => {
    const d = await run({ account: 'user@mx-missing.test', checks: ['account', 'mx', 'imap', 'receive'] });
    const r = finding(d, 'mx', 'MX_MISSING');
    assert.equal(r.evidence.answer, 'nodata');
    assert.equal(finding(d, 'receive', 'MAIL_NOT_RECEIVED').explainedBy, 'MX_MISSING');
    assert.deepEqual([d.primaryCause, d.causes], ['MX_MISSING', ['MX_MISSING']]);
  });

  test('MX_INVALID: mx-elsewhere.test → the foreign MX named, MAIL_NOT_RECEIVED explained by it', async () => {
    const d = await run({ account: 'user@mx-elsewhere.test', checks: ['account', 'mx', 'imap', 'receive'] });
    const r = finding(d, 'mx', 'MX_INVALID');
    assert.deepEqual(r.evidence.unexpected, ['mx.elsewhere.test']);
    assert.equal(finding(d, 'receive', 'MAIL_NOT_RECEIVED').explainedBy, 'MX_INVALID');
    assert.equal(d.primaryCause, 'MX_INVALID');
  });

  const srvMissing = () => once('srv-missing', { account: 'user@srv-missing.test', checks: ['account', 'srv', 'autodiscover'] });

  test('SRV_MISSING: srv-missing.test has no _autodiscover._tcp record', async () => {
    const d = await srvMissing();
    const r = finding(d, 'srv', 'SRV_MISSING');
    assert.equal(r.evidence.answer, 'nxdomain', 'no such name in the zone');
    assert.equal(d.primaryCause, 'SRV_MISSING');
  });

  test('AUTODISCOVER_FAILED: srv-missing.test → every candidate tried, explained by SRV_MISSING', async () => {
    const d = await srvMissing();
    const r = finding(d, 'autodiscover', 'AUTODISCOVER_FAILED');
    const candidates = new Set((r.evidence.attempts as Array<{ candidate: string }>).map((a) => a.candidate));
    assert.deepEqual([...candidates], ['domain', 'autodiscover-host', 'http-redirect', 'srv']);
    assert.equal(r.explainedBy, 'SRV_MISSING');
    assert.deepEqual(d.causes, ['SRV_MISSING']);
  });

  test('SRV_INVALID: srv-wrong.test → every wrong field named', async () => {
    const d = await run({ account: 'user@srv-wrong.test', checks: ['account', 'srv'] });
    const r = finding(d, 'srv', 'SRV_INVALID');
    assert.deepEqual((r.evidence.differences as Array<{ field: string }>).map((x) => x.field), ['priority', 'weight', 'port', 'target']);
    assert.equal(d.primaryCause, 'SRV_INVALID');
  });

  // logins
  test('AUTH_FAILED: wrongpw@ with a wrong password → one refused login in total, the rest not tried', async () => {
    const address = 'wrongpw-guides@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, password: 'Not-the-password-9f', checks: ['account', ...PASSWORD_CHECKS] });
    assert.equal(result(d, 'account').status, 'pass', summary(d));
    finding(d, 'imap', 'AUTH_FAILED');
    skippedFor(d, ['autodiscover', 'webmail', 'send', 'receive'], { check: 'imap', code: 'AUTH_FAILED' });
    assert.equal(d.primaryCause, 'AUTH_FAILED');
    const after = await failedLogins(address);
    assert.equal(spent(before, after), 1, `the servers' own logs: ${JSON.stringify({ before, after })}`);
  });

  test('BASIC_AUTH_DISABLED: nobasic.lab.test offers only NTLM/Negotiate; no password sent', async () => {
    const address = 'healthy@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, server: 'nobasic.lab.test', checks: ['account', 'webmail'] });
    const r = finding(d, 'webmail', 'BASIC_AUTH_DISABLED');
    const schemes = (r.evidence.ews as { authSchemes: string[] }).authSchemes;
    assert.ok(!schemes.includes('basic') && schemes.length > 0, JSON.stringify(schemes));
    assert.equal(d.primaryCause, 'BASIC_AUTH_DISABLED');
    assert.deepEqual(await failedLogins(address), before);
  });

  // reachability and TLS
  const down = () => once('down', { account: 'healthy@healthy.test', server: 'down.lab.test', checks: ['webmail', 'imap', 'send'] });

  test('WEBMAIL_UNREACHABLE: down.lab.test refuses connections to EWS', async () => {
    const d = await down();
    const r = finding(d, 'webmail', 'WEBMAIL_UNREACHABLE');
    assert.match(r.message, /connection refused/);
    assert.equal(d.primaryCause, 'WEBMAIL_UNREACHABLE', 'first of the independent causes');
  });

  test('IMAP_UNREACHABLE: down.lab.test refuses IMAP', async () => {
    const d = await down();
    const r = finding(d, 'imap', 'IMAP_UNREACHABLE');
    assert.equal(r.evidence.address, ADDR.down);
    assert.ok(d.causes?.includes('IMAP_UNREACHABLE'), 'an independent cause');
  });

  test('SMTP_UNREACHABLE: down.lab.test refuses submission', async () => {
    const d = await down();
    finding(d, 'send', 'SMTP_UNREACHABLE');
    assert.deepEqual(d.causes, ['WEBMAIL_UNREACHABLE', 'IMAP_UNREACHABLE', 'SMTP_UNREACHABLE']);
  });

  test('TLS_INVALID: expired.lab.test serves an expired certificate on IMAP, submission and EWS', async () => {
    const d = await run({ account: 'healthy@healthy.test', server: 'expired.lab.test', checks: ['webmail', 'imap', 'send'] });
    for (const id of ['imap', 'send'] as const) {
      const ev = finding(d, id, 'TLS_INVALID').evidence as { tlsError: string; tls: { cert?: { expired: boolean } } };
      assert.equal(ev.tlsError, 'CERT_HAS_EXPIRED', id);
      assert.equal(ev.tls.cert?.expired, true, id);
    }
    assert.equal((finding(d, 'webmail', 'TLS_INVALID').evidence.ews as { kind?: string }).kind, 'tls');
    assert.equal(d.primaryCause, 'TLS_INVALID');
  });

  // sending and receiving
  test('SEND_REJECTED: submission refuses spammer@ with the server\'s 5.7.1 reply', async () => {
    const d = await run({ account: 'spammer@healthy.test', checks: ['imap', 'send'] });
    const r = finding(d, 'send', 'SEND_REJECTED');
    assert.deepEqual([r.evidence.responseCode, r.evidence.enhancedStatus, r.evidence.authenticated], [554, '5.7.1', true]);
    assert.ok(String(r.evidence.response).includes(SPAM_BLOCK_REPLY.slice(10)), String(r.evidence.response));
    assert.equal(r.explainedBy, undefined, 'without the provider nothing explains it');
    assert.equal(d.primaryCause, 'SEND_REJECTED');
  });

  test('MAIL_NOT_RECEIVED: dropped.test\'s MX accepts the test message and drops it', async () => {
    const d = await run({ account: 'user@dropped.test', checks: ['account', 'mx', 'imap', 'receive'] });
    assert.equal(result(d, 'mx').status, 'pass');
    const r = finding(d, 'receive', 'MAIL_NOT_RECEIVED');
    assert.equal((r.evidence.delivery as { outcome: string }).outcome, 'accepted');
    assert.equal((r.evidence.arrival as { received?: unknown }).received, undefined);
    assert.equal(d.primaryCause, 'MAIL_NOT_RECEIVED');
  });

  test('MAIL_IN_JUNK: junk@ files the test message into Junk → warn, degraded, cleaned up', async () => {
    const d = await run({ account: 'junk@healthy.test', checks: ['account', 'imap', 'receive'] });
    const r = finding(d, 'receive', 'MAIL_IN_JUNK', 'warn');
    const received = (r.evidence.arrival as { received: { folder: string; junk: boolean } }).received;
    assert.deepEqual([received.folder, received.junk], [r.evidence.junkFolder, true]);
    assert.ok((r.evidence.cleanup as { deleted: Array<{ deleted: number }> }).deleted.some((x) => x.deleted > 0), JSON.stringify(r.evidence.cleanup));
    assert.deepEqual([d.primaryCause, d.verdict], ['MAIL_IN_JUNK', 'degraded']);
  });

  test('MX_REJECTED: bounce@\'s MX refuses inbound mail with 550 5.7.1; login and submission work', async () => {
    const d = await run({ account: 'bounce@healthy.test', checks: ['account', 'mx', 'imap', 'send', 'receive'] });
    for (const id of ['account', 'mx', 'imap', 'send'] as const) assert.equal(result(d, id).status, 'pass', `${id}: ${summary(d)}`);
    const r = finding(d, 'receive', 'MX_REJECTED');
    const delivery = r.evidence.delivery as { outcome: string; host: string; reply: { responseCode: number; enhancedStatus: string; response: string } };
    assert.deepEqual([delivery.outcome, delivery.reply.responseCode, delivery.reply.enhancedStatus], ['rejected', 550, '5.7.1']);
    assert.ok(delivery.reply.response.includes(INBOUND_REJECT_REPLY.slice(10)), delivery.reply.response);
    assert.equal(d.primaryCause, 'MX_REJECTED');
  });

  // platform status
  test('INCIDENT_OPEN: lab-incident has an open incident; it explains the unreachable server', async () => {
    const d = await run({ account: 'healthy@healthy.test', platform: 'lab-incident', server: 'down.lab.test', checks: ['incidents', 'imap'] });
    const r = finding(d, 'incidents', 'INCIDENT_OPEN', 'warn');
    const [incident] = r.evidence.incidents as Array<{ name: string; shortlink: string }>;
    assert.deepEqual([incident.name, incident.shortlink], [STATUS.incident.name, STATUS.incident.shortlink]);
    assert.equal(finding(d, 'imap', 'IMAP_UNREACHABLE').explainedBy, 'INCIDENT_OPEN');
    assert.deepEqual([d.primaryCause, d.causes], ['INCIDENT_OPEN', ['INCIDENT_OPEN']]);
  });
});

describe('guides: services with their own settings', { skip, concurrency: true }, () => {
  test('MAIL_DELAYED: delayed@ is greylisted once; the retry arrives after MAIL_DELAYED_AFTER_MS', async () => {
    // A sender of its own: the greylist remembers (client, sender, recipient) for the lab's lifetime.
    await withService({ RECEIVE_TIMEOUT_MS: '15000', MAIL_DELAYED_AFTER_MS: '1500', THROTTLE_MAX: '0', TEST_MAIL_FROM: `probe-${Date.now()}@diagnostics.test` }, async (s) => {
      const d = await diagnoser(() => s)({ account: 'delayed@healthy.test', checks: ['account', 'imap', 'receive'] });
      const r = finding(d, 'receive', 'MAIL_DELAYED', 'warn');
      const attempts = (r.evidence.delivery as { attempts: Array<{ result: string; reply?: { enhancedStatus?: string } }> }).attempts;
      assert.deepEqual([attempts[0].result, attempts[0].reply?.enhancedStatus, attempts.at(-1)!.result], ['deferred', '4.7.1', 'accepted']);
      assert.ok((r.evidence.arrival as { received: { atMs: number } }).received.atMs > 1500);
      assert.deepEqual([d.primaryCause, d.verdict], ['MAIL_DELAYED', 'degraded']);
    });
  });

  test('PROVIDER=http: the generic contract reports ACCOUNT_NOT_FOUND and ACCOUNT_EXPIRED', async () => {
    await withService({ PROVIDER: 'http', THROTTLE_MAX: '0' }, async (s) => {
      const run = diagnoser(() => s);
      const [ghost, expired] = await Promise.all([
        run({ account: 'ghost@healthy.test', checks: ['account', 'imap'], locale: 'fr' }),
        run({ account: 'expired@healthy.test', checks: ['account', 'imap', 'send'] }),
      ]);
      const g = finding(ghost, 'account', 'ACCOUNT_NOT_FOUND');
      assert.deepEqual([g.evidence.provider, g.evidence.status], ['http', 404]);
      skippedFor(ghost, ['imap'], { check: 'account', code: 'ACCOUNT_NOT_FOUND' });
      assert.deepEqual([ghost.primaryCause, ghost.locale], ['ACCOUNT_NOT_FOUND', 'fr']);
      const e = finding(expired, 'account', 'ACCOUNT_EXPIRED');
      assert.equal(e.evidence.provider, 'http');
      skippedFor(expired, ['imap', 'send'], { check: 'account', code: 'ACCOUNT_EXPIRED' });
      assert.equal(expired.primaryCause, 'ACCOUNT_EXPIRED');
    });
  });

  test('throttling: the 3rd diagnostic of one account within the window (THROTTLE_MAX=2) → 429 with Retry-After', async () => {
    await withService({ THROTTLE_MAX: '2', THROTTLE_WINDOW_SECONDS: '600' }, async (s) => {
      const run = diagnoser(() => s);
      const account = 'healthy@healthy.test';
      await run({ account, checks: ['mx'] });
      await run({ account, checks: ['mx'] });
      const res = await s.request.post('/v1/diagnostics').set(s.auth).send({ account, password: mailbox(account).password, checks: ['mx'] });
      assert.equal(res.status, 429, JSON.stringify(res.body));
      assert.deepEqual([String(res.headers['content-type']).split(';')[0], res.body.code], ['application/problem+json', 'THROTTLED']);
      const retryAfter = Number(res.headers['retry-after']);
      assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 600, `Retry-After: ${res.headers['retry-after']}`);
      // Another account is not held back by this one's throttle.
      const other = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'junk@healthy.test', password: mailbox('junk@healthy.test').password, checks: ['mx'] });
      assert.equal(other.status, 202, JSON.stringify(other.body));
      await s.waitFor(other.body.id, ['completed', 'failed', 'cancelled']);
    });
  });
});
