// A correct password that the provider refuses: the authorised-IP matching, the policy-flag and
// port → flag mapping, the OVHcloud and generic mapping of the facts, and the gate every password
// check passes before it acquires the password.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import type { CheckDeps } from '../../src/diagnostics/deps.js';
import type { CheckContext, CheckDefinition, CheckId, CheckOutcome } from '../../src/diagnostics/types.js';
import { createNet } from '../../src/net/index.js';
import { defaultProfiles } from '../../src/platforms/defaults.js';
import { runDiagnostic } from '../../src/run/runner.js';
import { passwordRefused, autodiscoverRefused } from '../../src/checks/credential-targets.js';
import type { SharedFacts } from '../../src/diagnostics/types.js';
import { resolvePlatform, type PlatformProfile } from '../../src/platforms/profile.js';
import {
  egressAllowed, ipFlagOf, ipInBlock, ipRestrictionsOf, isIpAddress, legacyBlockedOf, legacyFlagOf,
} from '../../src/providers/auth-restrictions.js';
import { mapHttpAccount, httpAccountSchema } from '../../src/providers/http.js';
import { mapOvhAccount } from '../../src/providers/ovh-records.js';

test('ipInBlock: IPv4 CIDR edges, bare addresses, IPv4-mapped IPv6, IPv6 prefixes, families never mix', () => {
  assert.equal(ipInBlock('203.0.113.0', '203.0.113.0/24'), true);
  assert.equal(ipInBlock('203.0.113.255', '203.0.113.0/24'), true);
  assert.equal(ipInBlock('203.0.114.0', '203.0.113.0/24'), false);
  assert.equal(ipInBlock('203.0.112.255', '203.0.113.0/24'), false);
  assert.equal(ipInBlock('127.0.0.1', '127.0.0.0/8'), true);
  assert.equal(ipInBlock('128.0.0.1', '127.0.0.0/8'), false);
  assert.equal(ipInBlock('198.51.100.7', '198.51.100.7/32'), true);
  assert.equal(ipInBlock('198.51.100.8', '198.51.100.7/32'), false);
  assert.equal(ipInBlock('198.51.100.7', '198.51.100.7'), true, 'a bare address is a /32');
  assert.equal(ipInBlock('8.8.8.8', '0.0.0.0/0'), true);
  assert.equal(ipInBlock('255.255.255.255', '255.255.255.0/24'), true, 'no sign trouble at the top of the range');
  assert.equal(ipInBlock('::ffff:203.0.113.9', '203.0.113.0/24'), true, 'IPv4-mapped IPv6 is IPv4');
  assert.equal(ipInBlock('2001:db8::1', '203.0.113.0/24'), false);
  assert.equal(ipInBlock('203.0.113.9', '2001:db8::/32'), false);
  assert.equal(ipInBlock('2001:db8:0:1::5', '2001:db8::/32'), true);
  assert.equal(ipInBlock('2001:db9::5', '2001:db8::/32'), false);
  assert.equal(ipInBlock('2001:db8::1', '2001:db8::1'), true);
  assert.equal(ipInBlock('2001:db8::1', '2001:db8::/127'), true);
  assert.equal(ipInBlock('2001:db8::2', '2001:db8::/127'), false);
  for (const bad of ['203.0.113.0/33', '203.0.113.0/', '203.0.113/24', '256.0.0.0/8', 'x/8', '203.0.113.0/24/1']) {
    assert.equal(ipInBlock('203.0.113.1', bad), false, bad);
  }
  assert.equal(ipInBlock('203.0.113.01', '203.0.113.0/24'), false, 'leading zeros are not an address');
});

test('isIpAddress and egressAllowed: any of our addresses inside any allowed block', () => {
  assert.deepEqual(['127.0.0.1', '::1', '2001:db8::7', '::ffff:10.0.0.1', 'ex.lab.test', '10.0.0.0/8', '1.2.3'].map(isIpAddress), [true, true, true, true, false, false, false]);
  assert.deepEqual(egressAllowed(['127.0.0.1'], ['203.0.113.0/24']).allowed, []);
  assert.deepEqual(egressAllowed(['2001:db8::7', '203.0.113.20'], ['198.51.100.0/24', '203.0.113.0/24']).allowed, ['203.0.113.20']);
});

test('port → authorised-IP flag: 443 HTTPS, 993 IMAPS, 143 IMAP, 25 SMTP, submission SMTPS', () => {
  assert.equal(ipFlagOf('https://ex.mail.ovh.net/EWS/Exchange.asmx'), 'HTTPS');
  assert.equal(ipFlagOf('https://autodiscover.example.com/autodiscover/autodiscover.xml'), 'HTTPS');
  assert.equal(ipFlagOf('imaps://ex.mail.ovh.net:993'), 'IMAPS');
  assert.equal(ipFlagOf('imaps://ex.lab.test:10993'), 'IMAPS', 'a platform port over implicit TLS');
  assert.equal(ipFlagOf('imaps://ex.mail.ovh.net:143'), 'IMAP');
  assert.equal(ipFlagOf('smtp://ex.mail.ovh.net:587'), 'SMTPS', 'OVHcloud describes SMTPS as port 587');
  assert.equal(ipFlagOf('smtps://ex.mail.ovh.net:465'), 'SMTPS');
  assert.equal(ipFlagOf('smtp://ex.mail.ovh.net:25'), 'SMTP');
  assert.equal(ipFlagOf('ftp://x'), undefined);
  assert.equal(ipFlagOf('not a url'), undefined);
});

test('policy flags → our protocols: legacy flags only, modern ones kept as evidence', () => {
  const policy = {
    id: 2, blockLegacyAuthImap: true, blockLegacyAuthWebServices: false, blockLegacyAuthAutodiscover: true, blockLegacyAuthPop: false,
    blockLegacyAuthActiveSync: false, blockLegacyAuthMapi: false, blockLegacyAuthOfflineAddressBook: false,
    blockModernAuthImap: true, blockModernAuthWebServices: false,
  };
  assert.deepEqual(legacyBlockedOf(policy), { legacyAuthBlocked: ['imap', 'autodiscover'], flags: ['blockLegacyAuthAutodiscover', 'blockLegacyAuthImap', 'blockModernAuthImap'] });
  assert.deepEqual(['imap', 'ews', 'autodiscover', 'smtp'].map(legacyFlagOf), ['blockLegacyAuthImap', 'blockLegacyAuthWebServices', 'blockLegacyAuthAutodiscover', undefined]);
});

test('authorised IPs: entries ok and deleting are in force, creating not yet; a flag is restricted by any entry in force', () => {
  const r = ipRestrictionsOf([
    { ip: '203.0.113.0/24', status: 'ok', flags: ['HTTPS', 'IMAPS'] },
    { ip: '198.51.100.0/24', status: 'creating', flags: ['SMTPS', 'IMAPS'] },
    { ip: '192.0.2.0/24', status: 'deleting', flags: ['IMAPS'] },
  ]);
  assert.deepEqual(r.restricted, { HTTPS: ['203.0.113.0/24'], IMAPS: ['203.0.113.0/24', '192.0.2.0/24'] });
  assert.equal(Object.hasOwn(r.restricted, 'SMTPS'), false, 'a creating entry restricts nothing yet');
  assert.equal(r.entries.length, 3);
});

test('OVHcloud mapping: the account\'s policy or the service default, and the authorised IPs', () => {
  const state = mapOvhAccount({
    account: { state: 'ok', authenticationPolicyId: null },
    service: { state: 'ok', defaultAuthenticationPolicyId: 1 },
    authPolicy: { policy: { id: 1, blockLegacyAuthWebServices: true, blockLegacyAuthImap: false }, source: 'service-default' },
    authorizedIps: [{ ip: '203.0.113.0/24', status: 'ok', HTTPS: true, IMAPS: false, SMTPS: true }, { ip: '198.51.100.0/24', status: 'creating', IMAPS: true }],
  }, Date.now());
  assert.deepEqual(state.authPolicy, { id: '1', source: 'service-default', legacyAuthBlocked: ['ews'], flags: ['blockLegacyAuthWebServices'] });
  assert.deepEqual(state.ipRestrictions?.restricted, { HTTPS: ['203.0.113.0/24'], SMTPS: ['203.0.113.0/24'] });
  const unread = mapOvhAccount({ account: { state: 'ok' } }, Date.now());
  assert.equal(unread.authPolicy, undefined, 'not read = unknown, not "nothing blocked"');
  assert.equal(unread.ipRestrictions, undefined);
});

test('generic provider: the same facts in the contract\'s shape; unknown protocol names are refused', () => {
  const doc = httpAccountSchema.parse({
    email: 'a@example.com', state: 'active',
    authenticationPolicy: { id: 7, legacyAuthBlocked: ['IMAP', 'ews'] },
    authorizedIps: [{ ip: '203.0.113.0/24', protocols: ['IMAPS'] }, { ip: '198.51.100.0/24', status: 'creating', protocols: ['HTTPS'] }],
  });
  const a = mapHttpAccount(doc, Date.now());
  assert.deepEqual(a.authPolicy, { id: '7', source: 'account', legacyAuthBlocked: ['imap', 'ews'], flags: ['blockLegacyAuthImap', 'blockLegacyAuthWebServices'] });
  assert.deepEqual(a.ipRestrictions?.restricted, { IMAPS: ['203.0.113.0/24'] });
  assert.equal(httpAccountSchema.safeParse({ email: 'a@example.com', state: 'active', authenticationPolicy: { legacyAuthBlocked: ['smtp'] } }).success, false);
  assert.equal(httpAccountSchema.safeParse({ email: 'a@example.com', state: 'active', authorizedIps: [{ ip: '203.0.113.0/24', protocols: ['FTP'] }] }).success, false);
  assert.equal(mapHttpAccount(httpAccountSchema.parse({ email: 'a@example.com', state: 'active' }), Date.now()).authPolicy, undefined);
});

// ── the gate ─────────────────────────────────────────────────────────────────────────────────
const profile = {
  label: 'test', server: 'ex.mail.example.net', mx: ['mx1.mail.example.net'],
  srv: { target: '{server}', port: 443, priority: 0, weight: 0 },
  imap: { host: '{server}', port: 993 }, smtp: { host: '{server}', port: 587 },
  ews: 'https://{server}/EWS/Exchange.asmx', owa: 'https://{server}/owa/',
} satisfies Omit<PlatformProfile, 'statusPage' | 'spf'>;
const gateCtx = (facts: SharedFacts, egressAddresses: string[] = []) => ({
  platform: resolvePlatform('p', profile as PlatformProfile, undefined), facts, domain: 'example.com', deps: { settings: { egressAddresses } },
});
const IMAP = 'imaps://ex.mail.example.net:993';
const EWS = 'https://ex.mail.example.net/EWS/Exchange.asmx';
const SUBMISSION = 'smtp://ex.mail.example.net:587';

test('gate: a policy that blocks legacy IMAP fails imap and receive, not webmail nor send; nothing is sent', () => {
  const facts: SharedFacts = { authPolicy: { id: '2', source: 'account', legacyAuthBlocked: ['imap'], flags: ['blockLegacyAuthImap'] } };
  for (const check of ['imap', 'receive'] as const) {
    const out = passwordRefused(IMAP, gateCtx(facts), check);
    assert.equal(out?.status, 'fail');
    assert.equal(out?.code, 'LEGACY_AUTH_BLOCKED');
    assert.match(out!.message, /IMAP refuses password logins.*authentication policy 2 sets blockLegacyAuthImap; the password was not sent/);
    assert.deepEqual(out!.evidence.authenticationPolicy, { id: '2', appliesAs: 'account', flag: 'blockLegacyAuthImap', flags: ['blockLegacyAuthImap'] });
    assert.deepEqual((out!.evidence.credentials as Array<{ url: string; sent: boolean }>).map((c) => [c.url, c.sent]), [[IMAP, false]]);
  }
  assert.equal(passwordRefused(EWS, gateCtx(facts), 'webmail'), undefined);
  assert.equal(passwordRefused(SUBMISSION, gateCtx(facts), 'send'), undefined, 'no policy flag covers SMTP');
  assert.equal(passwordRefused(IMAP, gateCtx(facts)), undefined, 'without a check only the host rule applies');
  const ews = { authPolicy: { legacyAuthBlocked: ['ews', 'autodiscover'], flags: [] } } satisfies SharedFacts;
  assert.equal(passwordRefused(EWS, gateCtx(ews), 'webmail')?.code, 'LEGACY_AUTH_BLOCKED');
  assert.equal(autodiscoverRefused(gateCtx(ews))?.code, 'LEGACY_AUTH_BLOCKED');
});

test('gate: authorised IPs without our egress address → IP_NOT_AUTHORIZED; inside, or unrestricted → go ahead', () => {
  const facts = (): SharedFacts => ({ ipRestrictions: ipRestrictionsOf([{ ip: '203.0.113.0/24', status: 'ok', flags: ['IMAPS', 'HTTPS'] }]) });
  const out = passwordRefused(IMAP, gateCtx(facts(), ['127.0.0.1']), 'imap');
  assert.equal(out?.code, 'IP_NOT_AUTHORIZED');
  assert.match(out!.message, /IMAPS: 203\.0\.113\.0\/24.*\(127\.0\.0\.1\) are not among them; the password was not sent/);
  assert.deepEqual(out!.evidence.ipRestriction, { flag: 'IMAPS', allowed: ['203.0.113.0/24'], egressAddresses: ['127.0.0.1'] });
  assert.equal((out!.evidence.credentials as Array<{ sent: boolean }>)[0].sent, false);
  assert.equal(passwordRefused(EWS, gateCtx(facts(), ['127.0.0.1']), 'webmail')?.code, 'IP_NOT_AUTHORIZED');
  assert.equal(autodiscoverRefused(gateCtx(facts(), ['127.0.0.1']))?.code, 'IP_NOT_AUTHORIZED');
  assert.equal(passwordRefused(SUBMISSION, gateCtx(facts(), ['127.0.0.1']), 'send'), undefined, 'SMTPS is not restricted');
  assert.equal(passwordRefused(IMAP, gateCtx(facts(), ['127.0.0.1', '203.0.113.44']), 'imap'), undefined, 'one of our addresses is allowed');
});

test('gate: EGRESS_ADDRESSES unknown → the login goes ahead and the restriction is remembered for the runner', () => {
  const f: SharedFacts = { ipRestrictions: ipRestrictionsOf([{ ip: '203.0.113.0/24', status: 'ok', flags: ['IMAPS'] }]) };
  assert.equal(passwordRefused(IMAP, gateCtx(f), 'imap'), undefined);
  assert.deepEqual(f.unverifiedIpRestriction, { imap: { flag: 'IMAPS', allowed: ['203.0.113.0/24'] } });
});

test('gate: the host rule still comes first (an error, not the account\'s fault)', () => {
  const facts: SharedFacts = { authPolicy: { legacyAuthBlocked: ['ews'], flags: [] } };
  const out = passwordRefused('http://ex.mail.example.net/EWS/Exchange.asmx', gateCtx(facts), 'webmail');
  assert.equal(out?.code, 'CHECK_ERROR');
});

// ── the runner: "the password is right", the skip that names the root, the unknown egress ────
const runnerDeps: CheckDeps = {
  net: createNet({ dnsServers: [], dnsTimeoutMs: 1000, policy: { allowlist: [] }, ioTimeoutMs: 1000 }),
  provider: { name: 'none', lookup: async () => ({ found: false, evidence: {} }) },
  settings: { mxPort: 25, heloName: 'h', testMailFrom: 'a@b.c', receiveTimeoutMs: 1000, mailDelayedAfterMs: 500, domainExpiringDays: 30, tlsExpiringDays: 14 },
  now: () => Date.now(),
};
const def = (id: CheckId, run: CheckDefinition['run'], extra: Partial<CheckDefinition> = {}): CheckDefinition =>
  ({ id, after: [], requires: [], usesPassword: true, timeoutMs: 1000, run, ...extra });
const runChecks = (defs: CheckDefinition[], deps: CheckDeps = runnerDeps) => runDiagnostic(
  { diagnosticId: 'd1', account: 'user@example.com', password: 'S3cret-pw', platform: resolvePlatform('hosted-eu', defaultProfiles['hosted-eu'], undefined), checks: defs.map((d) => d.id) },
  { registry: new Map(defs.map((d) => [d.id, d])), deps, log: pino({ level: 'silent' }), deadlineMs: 5000 },
);
const policyBlocksImap = (ctx: CheckContext) => {
  ctx.facts.authPolicy = { id: '2', source: 'account', legacyAuthBlocked: ['imap'], flags: ['blockLegacyAuthImap'] };
  return Promise.resolve<CheckOutcome>({ status: 'pass', message: 'active', evidence: {} });
};
const gated = (id: CheckId, target: string) => async (ctx: CheckContext): Promise<CheckOutcome> => {
  const refused = passwordRefused(target, ctx, id); if (refused) return refused;
  const pw = await ctx.credentials.acquire(id);
  assert.equal(pw, 'S3cret-pw');
  ctx.credentials.succeeded(id, id === 'webmail' ? 'ews' : id);
  return { status: 'pass', message: 'signed in', evidence: {} };
};

test('runner: LEGACY_AUTH_BLOCKED names the login that accepted the password; receive names the root; primary cause', async () => {
  const server = resolvePlatform('hosted-eu', defaultProfiles['hosted-eu'], undefined);
  const report = await runChecks([
    def('account', policyBlocksImap, { usesPassword: false }),
    def('imap', gated('imap', `imaps://${server.imap.host}:${server.imap.port}`), { after: ['account'] }),
    def('webmail', gated('webmail', server.ews), { after: ['account', 'imap'] }),
    def('receive', gated('receive', `imaps://${server.imap.host}:${server.imap.port}`), { after: ['imap'], requires: ['imap'] }),
  ]);
  const imap = report.checks.find((c) => c.id === 'imap')!;
  assert.equal(imap.code, 'LEGACY_AUTH_BLOCKED');
  assert.match(imap.message, /; webmail \(EWS\) accepted the same password: the password is right, do not change it$/);
  assert.deepEqual(imap.evidence.passwordAcceptedBy, { check: 'webmail', protocol: 'ews' });
  const receive = report.checks.find((c) => c.id === 'receive')!;
  assert.deepEqual(receive.skippedBecause, { check: 'imap', code: 'LEGACY_AUTH_BLOCKED' });
  assert.match(receive.message, /imap ended fail \(LEGACY_AUTH_BLOCKED\): the provider refuses that login whatever the password/);
  assert.equal(report.primaryCause, 'LEGACY_AUTH_BLOCKED');
});

test('runner: no other login succeeded → the refusal says nothing about the password', async () => {
  const report = await runChecks([
    def('account', policyBlocksImap, { usesPassword: false }),
    def('imap', gated('imap', 'imaps://ex.mail.ovh.net:993'), { after: ['account'] }),
  ]);
  const imap = report.checks.find((c) => c.id === 'imap')!;
  assert.equal(imap.code, 'LEGACY_AUTH_BLOCKED');
  assert.doesNotMatch(imap.message, /password is right/);
  assert.equal(imap.evidence.passwordAcceptedBy, undefined);
});

test('runner: EGRESS_ADDRESSES unset, restricted protocol, refused login → AUTH_FAILED says the IP restriction may be why', async () => {
  const report = await runChecks([
    def('account', async (ctx) => {
      ctx.facts.ipRestrictions = ipRestrictionsOf([{ ip: '203.0.113.0/24', status: 'ok', flags: ['IMAPS'] }]);
      return { status: 'pass', message: 'active', evidence: {} };
    }, { usesPassword: false }),
    def('imap', async (ctx) => {
      const refused = passwordRefused('imaps://ex.mail.ovh.net:993', ctx, 'imap'); if (refused) return refused;
      await ctx.credentials.acquire('imap');
      ctx.credentials.failed('imap', 'imap');
      return { status: 'fail', code: 'AUTH_FAILED', message: 'IMAP rejected the credentials', evidence: {} };
    }, { after: ['account'] }),
  ]);
  const imap = report.checks.find((c) => c.id === 'imap')!;
  assert.equal(imap.code, 'AUTH_FAILED');
  assert.match(imap.message, /restricts IMAPS to authorised IPs \(203\.0\.113\.0\/24\).*not configured: the IP restriction may be the cause, not the password/);
  assert.deepEqual(imap.evidence.ipRestriction, { flag: 'IMAPS', allowed: ['203.0.113.0/24'], egressAddresses: 'unknown (EGRESS_ADDRESSES is not set)' });
});

test('EGRESS_ADDRESSES: IPv4 and IPv6 addresses; anything else refused at start with a clear message', () => {
  assert.deepEqual(loadConfig({ EGRESS_ADDRESSES: ' 203.0.113.7, 2001:db8::7 ' }).EGRESS_ADDRESSES, ['203.0.113.7', '2001:db8::7']);
  assert.deepEqual(loadConfig({}).EGRESS_ADDRESSES, []);
  for (const bad of ['203.0.113.0/24', 'egress.example.com', '203.0.113.7,300.1.1.1']) {
    assert.throws(() => loadConfig({ EGRESS_ADDRESSES: bad }), (e: Error) => e instanceof ConfigError && /EGRESS_ADDRESSES/.test(e.message) && /IPv4 or IPv6 address/.test(e.message), bad);
  }
});
