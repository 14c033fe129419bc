// What the best outside tools check that the guides do not, each from a real lab fault through the
// API (HTTP → queue → worker → checks against the lab's DNS, Postfix and HTTPS stand-ins):
// inbound TLS of the MX with MTA-STS and TLS-RPT (mx-tls), DKIM (dkim), and the reputation of the
// platform's sending addresses (outbound). A healthy mailbox stays healthy with all of them on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { ADDR, DNSBL, mailbox } from '../lab/scenarios.js';
import { failedLogins } from '../lab/logs.js';
import { diagnose, finding, result, summary, type Ask } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/deliverability.test.ts';

type Host = { host: string; outcome: string; valid?: boolean; certError?: string; protocol?: string; policy?: string; problems: string[] };
type Findings = Array<{ code: string; message: string }>;
const codesOf = (r: { evidence: Record<string, unknown> }) => ((r.evidence.findings ?? []) as Findings).map((f) => f.code);

describe('inbound TLS, DKIM and outbound reputation through the API (PROVIDER=none)', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ PROVIDER: 'none', RECEIVE_TIMEOUT_MS: '6000', THROTTLE_MAX: '0' });
    assert.deepEqual(s.config.DNSBL_ZONES, [DNSBL.zone, DNSBL.broken], 'the lab points DNSBL_ZONES at its own zones only');
  });
  after(() => s?.close());
  // One diagnostic of an account at a time (a second one would answer 409): asks for one account queue up.
  const lanes = new Map<string, Promise<unknown>>();
  const run = (ask: Ask): Promise<DiagnosticRecord> => {
    const next = (lanes.get(ask.account) ?? Promise.resolve()).catch(() => undefined).then(() => diagnose(s, ask));
    lanes.set(ask.account, next);
    return next;
  };

  test('user@sts-ok.test, every check: healthy; STARTTLS with valid certificates, MTA-STS enforce matches, TLS-RPT, DKIM keys, outbound address clean', async () => {
    const d = await run({ account: 'user@sts-ok.test' });
    assert.equal(d.verdict, 'healthy', summary(d));
    const tls = result(d, 'mx-tls');
    assert.equal(tls.status, 'pass', summary(d));
    const hosts = tls.evidence.hosts as Host[];
    assert.deepEqual(hosts.map((h) => [h.host, h.outcome, h.valid, h.policy]), [
      ['mx1.lab.test', 'tls', true, 'matches mx1.lab.test'],
      ['mx2.lab.test', 'tls', true, 'matches *.lab.test'],
    ]);
    assert.match(hosts[0].protocol ?? '', /^TLSv1\.[23]$/);
    const sts = tls.evidence.mtaSts as { policy: { mode: string; mx: string[]; maxAge: number }; fetch: { status: number; contentType: string }; id: string };
    assert.deepEqual([sts.id, sts.policy.mode, sts.policy.maxAge, sts.fetch.status], ['20260101T000000', 'enforce', 604800, 200]);
    assert.match(sts.fetch.contentType, /^text\/plain/);
    assert.deepEqual((tls.evidence.tlsRpt as { rua: string[] }).rua, ['mailto:tls-reports@lab.test']);
    const dkim = result(d, 'dkim');
    assert.equal(dkim.status, 'pass');
    assert.deepEqual((dkim.evidence.selectors as Array<{ selector: string; keyType: string; bits: number | null }>).map((x) => [x.selector, x.keyType, x.bits]),
      [['lab1', 'rsa', 2048], ['lab2', 'ed25519', null]]);
    assert.equal(dkim.evidence.selectorsFrom, 'platform');
    const auth = result(d, 'mail-auth');
    assert.equal(auth.status, 'pass', summary(d));
    assert.match(auth.message, /added no Authentication-Results/);
    assert.deepEqual([(auth.evidence.sent as { dkimSigned: boolean }).dkimSigned, (auth.evidence.probe as { spamVerdict: unknown }).spamVerdict], [false, null]);
    const out = result(d, 'outbound');
    assert.equal(out.status, 'pass');
    const addresses = out.evidence.addresses as Array<{ address: string; rdns: string; confirmedBy: string; listed: unknown[] }>;
    assert.deepEqual(addresses.map((a) => [a.address, a.rdns, a.confirmedBy, a.listed.length]), [[ADDR.outbound, 'confirmed', 'out1.lab.test', 0]]);
    // The zone that answers "listed" for everything is recognised (RFC 5782 §5) and set aside, not believed.
    const zones = out.evidence.zones as Array<{ zone: string; usable: boolean; note?: string }>;
    assert.deepEqual(zones.map((z) => [z.zone, z.usable]), [[DNSBL.zone, true], [DNSBL.broken, false]]);
    assert.match(zones[1].note ?? '', /127\.0\.0\.1/);
  });

  test('healthy@healthy.test: no MTA-STS, no DKIM key at the lab selectors, nothing said by a provider → the new checks pass, still healthy', async () => {
    const d = await run({ account: 'healthy@healthy.test' });
    assert.equal(d.verdict, 'healthy', summary(d));
    for (const id of ['mx-tls', 'dkim', 'outbound'] as const) assert.equal(result(d, id).status, 'pass', `${id}: ${summary(d)}`);
    assert.deepEqual(result(d, 'mx-tls').evidence.mtaSts, { name: '_mta-sts.healthy.test', published: false });
  });

  test('MTA_STS_BLOCKS_MAIL: the only MX of sts-badcert.test serves an expired certificate under an enforce policy (MX_TLS_INVALID, TLSRPT_INVALID in evidence)', async () => {
    const d = await run({ account: 'user@sts-badcert.test', checks: ['mx', 'mx-tls'] });
    const r = finding(d, 'mx-tls', 'MTA_STS_BLOCKS_MAIL');
    const [host] = r.evidence.hosts as Host[];
    assert.deepEqual([host.host, host.outcome, host.valid, host.certError, host.policy], ['mx-expired.lab.test', 'tls', false, 'CERT_HAS_EXPIRED', 'matches mx-expired.lab.test']);
    assert.match(r.message, /enforce mode and no MX passes it/);
    assert.deepEqual(codesOf(r), ['MTA_STS_BLOCKS_MAIL', 'MX_TLS_INVALID', 'TLSRPT_INVALID']);
    assert.ok(d.causes?.includes('MTA_STS_BLOCKS_MAIL'), summary(d));
    finding(d, 'mx', 'MX_INVALID');
  });

  test('MTA_STS_BLOCKS_MAIL: sts-mismatch.test\'s enforce policy lists another host; our probe still gets through, so it is the primary cause', async () => {
    const d = await run({ account: 'user@sts-mismatch.test', checks: ['mx', 'mx-tls', 'imap', 'receive'] });
    const r = finding(d, 'mx-tls', 'MTA_STS_BLOCKS_MAIL');
    assert.deepEqual((r.evidence.hosts as Host[]).map((h) => [h.host, h.valid, h.policy]), [
      ['mx1.lab.test', true, 'not listed in the policy'], ['mx2.lab.test', true, 'not listed in the policy'],
    ]);
    assert.equal(result(d, 'mx').status, 'pass');
    assert.equal(result(d, 'receive').status, 'pass', 'the probe does not apply MTA-STS: mail from senders that do is what is lost');
    assert.equal(d.primaryCause, 'MTA_STS_BLOCKS_MAIL', summary(d));
    assert.equal(d.verdict, 'failing');
  });

  test('MTA_STS_INVALID: sts-broken.test serves mode "enforced" without max_age; two TLS-RPT records', async () => {
    const d = await run({ account: 'user@sts-broken.test', checks: ['mx-tls'] });
    const r = finding(d, 'mx-tls', 'MTA_STS_INVALID', 'warn');
    const problems = (r.evidence.mtaSts as { problems: string[] }).problems;
    assert.ok(problems.some((p) => /mode "enforced"/.test(p)) && problems.some((p) => /no max_age/.test(p)), problems.join(' | '));
    assert.deepEqual(codesOf(r), ['MTA_STS_INVALID', 'TLSRPT_INVALID']);
    assert.equal(d.verdict, 'degraded');
  });

  test('MX_TLS_INVALID: the only MX of mx-badcert.test serves an expired certificate, no MTA-STS (a warning: senders that do not verify still deliver)', async () => {
    const d = await run({ account: 'user@mx-badcert.test', checks: ['mx-tls'] });
    const r = finding(d, 'mx-tls', 'MX_TLS_INVALID', 'warn');
    assert.match(r.message, /mx-expired\.lab\.test is not valid for it \(CERT_HAS_EXPIRED\)/);
    assert.equal((r.evidence.hosts as Host[])[0].policy, undefined, 'no policy to match');
    assert.equal(d.verdict, 'degraded');
  });

  test('DKIM_WEAK_KEY: dkim-weak.test publishes a 1024-bit RSA key at lab1', async () => {
    const d = await run({ account: 'user@dkim-weak.test', checks: ['dkim'] });
    const r = finding(d, 'dkim', 'DKIM_WEAK_KEY', 'warn');
    const [lab1, lab2] = r.evidence.selectors as Array<{ name: string; found: string; bits?: number }>;
    assert.deepEqual([lab1.name, lab1.found, lab1.bits, lab2.found], ['lab1._domainkey.dkim-weak.test', 'key', 1024, 'none']);
  });

  test('DKIM_INVALID: dkim-broken.test has a truncated key at lab1 and a revoked one at lab2', async () => {
    const d = await run({ account: 'user@dkim-broken.test', checks: ['dkim'] });
    const r = finding(d, 'dkim', 'DKIM_INVALID', 'warn');
    const problems = (r.evidence.selectors as Array<{ problems: string[] }>).map((x) => x.problems[0]);
    assert.match(problems[0], /does not decode to an RSA public key/);
    assert.match(problems[1], /revoked/);
  });

  test('OUTBOUND_IP_LISTED: lab-outbound-bad sends from an address in the lab blocklist (reason from its TXT); rDNS problems in evidence', async () => {
    const d = await run({ account: 'healthy@healthy.test', platform: 'lab-outbound-bad', checks: ['outbound'] });
    const r = finding(d, 'outbound', 'OUTBOUND_IP_LISTED', 'warn');
    const byIp = Object.fromEntries((r.evidence.addresses as Array<{ address: string; rdns: string; listed: Array<{ zone: string; codes: string[]; reason?: string }> }>).map((a) => [a.address, a]));
    assert.deepEqual(byIp[ADDR.outboundListed].listed, [{ zone: DNSBL.zone, codes: ['127.0.0.2'], reason: DNSBL.listed[ADDR.outboundListed] }],
      'listed in the lab zone only: the zone that lists everything is not believed');
    assert.equal(byIp[ADDR.outboundListed].rdns, 'confirmed');
    assert.deepEqual([byIp[ADDR.outboundNoPtr].rdns, byIp[ADDR.outboundBadPtr].rdns], ['missing', 'unconfirmed']);
    assert.deepEqual((r.evidence.findings as Findings).map((f) => f.code), ['OUTBOUND_IP_LISTED', 'OUTBOUND_RDNS_INVALID']);
    assert.equal(d.primaryCause, 'OUTBOUND_IP_LISTED');
  });

  test('OUTBOUND_RDNS_INVALID: lab-outbound-rdns sends from an address without PTR and one whose PTR does not resolve back', async () => {
    const d = await run({ account: 'healthy@healthy.test', platform: 'lab-outbound-rdns', checks: ['outbound'] });
    const r = finding(d, 'outbound', 'OUTBOUND_RDNS_INVALID', 'warn');
    assert.match(r.message, new RegExp(`${ADDR.outboundNoPtr.replaceAll('.', '\\.')}: no PTR record`));
    assert.match(r.message, /mail\.nowhere\.test/);
  });

  test('SENT_MAIL_AUTH_FAILED: the platform judges what judged@spf-wrong.test sends spf=softfail, dmarc=fail; SPF_INVALID explains it; the probe carries a spam verdict', async () => {
    const d = await run({ account: 'judged@spf-wrong.test', checks: ['spf', 'imap', 'send', 'receive', 'mail-auth'] });
    const r = finding(d, 'mail-auth', 'SENT_MAIL_AUTH_FAILED', 'warn');
    const sent = r.evidence.sent as { authenticationResults: Array<{ method: string; result: string; authservId: string }>; dkimSigned: boolean; folder: string };
    assert.deepEqual(sent.authenticationResults.map((x) => [x.authservId, x.method, x.result]), [['ex.lab.test', 'spf', 'softfail'], ['ex.lab.test', 'dkim', 'none'], ['ex.lab.test', 'dmarc', 'fail']]);
    assert.equal(sent.dkimSigned, false);
    assert.match((r.evidence.probe as { spamVerdict: string }).spamVerdict, /^X-Spam-Status: Yes, score=6\.2/);
    assert.equal(r.explainedBy, 'SPF_INVALID', summary(d));
    assert.equal(d.primaryCause, 'SPF_INVALID');
    // Read before the cleanup: both test messages are still deleted.
    const cleanup = result(d, 'receive').evidence.cleanup as { deleted: Array<{ deleted: number }> };
    assert.equal(cleanup.deleted.reduce((n, e) => n + e.deleted, 0), 2, JSON.stringify(cleanup));
  });

  test('the new checks send no password: a wrong one changes nothing for them and no server logs a failed login', async () => {
    const address = 'wrongpw@healthy.test';
    const before = await failedLogins(address);
    const d = await run({ account: address, password: 'Not-the-password-11', checks: ['mx-tls', 'dkim', 'outbound'] });
    for (const id of ['mx-tls', 'dkim', 'outbound'] as const) assert.equal(result(d, id).status, 'pass', `${id}: ${summary(d)}`);
    assert.deepEqual(await failedLogins(address), before);
  });
});

describe('DKIM as the OVHcloud provider reports it (PROVIDER=ovhcloud)', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ THROTTLE_MAX: '0' });
    assert.equal(s.config.PROVIDER, 'ovhcloud', 'the lab configures the OVHcloud stand-in');
  });
  after(() => s?.close());

  test('DKIM_NOT_ENABLED: sts-ok.test publishes keys at the lab selectors but the provider reports DKIM disabled (published, not used)', async () => {
    const d: DiagnosticRecord = await diagnose(s, { account: 'user@sts-ok.test', checks: ['account', 'dkim'] });
    const r = finding(d, 'dkim', 'DKIM_NOT_ENABLED', 'warn');
    assert.deepEqual(r.evidence.provider, { state: 'disabled', errorCode: null, message: null, signs: false });
    assert.match(r.message, /lab1\._domainkey\.sts-ok\.test, lab2\._domainkey\.sts-ok\.test/);
  });

  test('healthy.test: the provider does not sign and nothing is published → pass, SPF alone authenticates the mail', async () => {
    const d = await diagnose(s, { account: mailbox('healthy@healthy.test').address, checks: ['account', 'dkim'] });
    const r = result(d, 'dkim');
    assert.equal(r.status, 'pass', summary(d));
    assert.match(r.message, /does not DKIM-sign .* SPF alone/);
  });
});
