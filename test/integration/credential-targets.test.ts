// Where the mailbox password goes, through the API against the lab: Autodiscover follows HTTP
// 302s, the plain-http redirect probe, SRV targets, redirectUrl and redirectAddr to a host on
// another registrable domain (autodiscover.outsider.test) that asks for Basic — and the stand-ins'
// own request log proves that host never received an Authorization header. A mailbox on a
// subdomain whose Autodiscover lives on the parent's registrable domain still passes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { standinRequests } from '../lab/logs.js';
import { OUTSIDER_HOST } from '../lab/scenarios.js';
import { diagnose, finding, result, summary, type Ask } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';

const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/credential-targets.test.ts';

const OUTSIDER_URL = `https://${OUTSIDER_HOST}/autodiscover/autodiscover.xml`;
const PLATFORM_AD_URL = 'https://ex.lab.test/autodiscover/autodiscover.xml';

interface Decision { url: string; sent: boolean; reason: string }
interface Attempt { candidate: string; url: string; from?: string; status?: number; auth: string; answer?: string }

const decisions = (d: DiagnosticRecord): Decision[] => result(d, 'autodiscover').evidence.credentials as Decision[];
const attempts = (d: DiagnosticRecord): Attempt[] => result(d, 'autodiscover').evidence.attempts as Attempt[];

/** The outsider asked (401 Basic to an anonymous POST) and got no password; nothing it received carried credentials. */
async function outsiderNeverGotCredentials(d: DiagnosticRecord, email: string): Promise<void> {
  const withheld = decisions(d).filter((c) => c.url === OUTSIDER_URL);
  assert.ok(withheld.length >= 1 && withheld.every((c) => !c.sent), `outsider listed as refused: ${JSON.stringify(decisions(d))}`);
  assert.match(withheld[0].reason, /outsider\.test is neither a host of the platform nor on the mailbox's registrable domain/);
  assert.ok(attempts(d).some((a) => a.url === OUTSIDER_URL && a.status === 401 && a.auth === 'none'), 'the outsider asked for credentials');
  const seen = (await standinRequests(OUTSIDER_HOST)).filter((r) => r.email === email);
  assert.ok(seen.length >= 1, `the outsider's log shows this diagnostic's request (${email})`);
  assert.deepEqual(seen.map((r) => r.authorization), seen.map(() => 'none'), 'no Authorization header ever reached the outsider');
}

/** The stand-in at `host` logged a Basic-authenticated request for `user` (the password went there). */
async function gotBasicFor(host: string, user: string): Promise<void> {
  const seen = await standinRequests(host);
  assert.ok(seen.some((r) => r.authorization === 'basic' && r.user === user), `${host} received Basic credentials for ${user}`);
}

describe('credentials only where they belong (Autodiscover through the API)', { skip, concurrency: true }, () => {
  let s: Service;
  before(async () => {
    s = await startService({ RECEIVE_TIMEOUT_MS: '6000', THROTTLE_MAX: '0' });
  });
  after(() => s?.close());
  const run = (ask: Ask) => diagnose(s, ask);

  test('HTTP 302 to another registrable domain: the outsider gets nothing; the SRV target (platform) gets the password', async () => {
    const account = 'user@ad-302.test';
    const d = await run({ account, checks: ['account', 'srv', 'autodiscover'] });
    const r = result(d, 'autodiscover');
    assert.equal(r.status, 'pass', summary(d));
    assert.match(r.message, /withheld from 1 endpoint outside the mailbox's domain and the platform/);
    const hop = attempts(d).find((a) => a.url === OUTSIDER_URL);
    assert.equal(hop?.from, 'https://autodiscover.ad-302.test/autodiscover/autodiscover.xml', 'reached through the 302');
    const sent = decisions(d).filter((c) => c.sent);
    assert.deepEqual(sent.map((c) => c.url), [PLATFORM_AD_URL]);
    assert.match(sent[0].reason, /ex\.lab\.test is a host of the platform/);
    const ews = r.evidence.ewsUrlMayReceivePassword as { ok: boolean; reason: string };
    assert.equal(ews.ok, true, 'the EWS URL of the answer is a platform host');
    assert.match(ews.reason, /^ex\.lab\.test is a host of the platform \(server, EWS, OWA, IMAP, SMTP/);
    await outsiderNeverGotCredentials(d, account);
    await gotBasicFor('ex.lab.test', account);
    assert.equal(d.verdict, 'healthy', summary(d));
  });

  test('plain-http redirect probe to another domain → AUTODISCOVER_UNTRUSTED_REDIRECT, the probe itself carried no credentials', async () => {
    const account = 'user@ad-http.test';
    const d = await run({ account, checks: ['account', 'srv', 'autodiscover'] });
    const r = finding(d, 'autodiscover', 'AUTODISCOVER_UNTRUSTED_REDIRECT');
    assert.match(r.message, new RegExp(`${OUTSIDER_URL.replace(/[.]/g, '\\.')} asked for the password and it was withheld`));
    const refused = decisions(d).find((c) => c.url === OUTSIDER_URL);
    assert.match(refused?.reason ?? '', /^reached through the plain-http redirect of http:\/\/autodiscover\.ad-http\.test\//);
    assert.deepEqual(decisions(d).filter((c) => c.sent), [], 'no endpoint was sent the password');
    await outsiderNeverGotCredentials(d, account);
    const probe = (await standinRequests('autodiscover.ad-http.test')).filter((q) => q.scheme === 'http');
    assert.ok(probe.length >= 1 && probe.every((q) => q.method === 'GET' && q.authorization === 'none'), JSON.stringify(probe));
    // Two independent problems: the untrusted redirect ranks first, the missing SRV is reported too.
    finding(d, 'srv', 'SRV_MISSING');
    assert.deepEqual([d.primaryCause, d.causes], ['AUTODISCOVER_UNTRUSTED_REDIRECT', ['AUTODISCOVER_UNTRUSTED_REDIRECT', 'SRV_MISSING']]);
    assert.equal(r.explainedBy, undefined);
  });

  test('redirectAddr to another domain: the own-domain host signs in, discovery for the new address gets no password', async () => {
    const account = 'user@ad-addr.test';
    const d = await run({ account, checks: ['account', 'srv', 'autodiscover'] });
    assert.equal(result(d, 'srv').status, 'pass', summary(d));
    finding(d, 'autodiscover', 'AUTODISCOVER_UNTRUSTED_REDIRECT');
    const own = decisions(d).find((c) => c.sent);
    assert.equal(own?.url, 'https://autodiscover.ad-addr.test/autodiscover/autodiscover.xml');
    assert.match(own?.reason ?? '', /on the mailbox's registrable domain ad-addr\.test, over verified https/);
    assert.ok(attempts(d).some((a) => a.answer === 'redirectAddr user@outsider.test'));
    assert.ok(attempts(d).some((a) => a.candidate === 'autodiscover-host' && a.url === OUTSIDER_URL), 'discovery restarted for outsider.test');
    await gotBasicFor('autodiscover.ad-addr.test', account);
    await outsiderNeverGotCredentials(d, 'user@outsider.test');
    assert.equal(d.primaryCause, 'AUTODISCOVER_UNTRUSTED_REDIRECT', summary(d));
  });

  test('redirectUrl to another domain: withheld, the hop names where it came from', async () => {
    const account = 'user@ad-url.test';
    const d = await run({ account, checks: ['account', 'autodiscover'] });
    finding(d, 'autodiscover', 'AUTODISCOVER_UNTRUSTED_REDIRECT');
    const hop = attempts(d).find((a) => a.url === OUTSIDER_URL);
    assert.deepEqual([hop?.candidate, hop?.from], ['redirectUrl', 'https://autodiscover.ad-url.test/autodiscover/autodiscover.xml']);
    assert.deepEqual(decisions(d).map((c) => [c.url, c.sent]), [['https://autodiscover.ad-url.test/autodiscover/autodiscover.xml', true], [OUTSIDER_URL, false]]);
    await gotBasicFor('autodiscover.ad-url.test', account);
    await outsiderNeverGotCredentials(d, account);
  });

  test('SRV target on another domain: SRV_INVALID and AUTODISCOVER_UNTRUSTED_REDIRECT, no password sent', async () => {
    const account = 'user@ad-srv.test';
    const d = await run({ account, checks: ['account', 'srv', 'autodiscover'] });
    finding(d, 'srv', 'SRV_INVALID');
    const r = finding(d, 'autodiscover', 'AUTODISCOVER_UNTRUSTED_REDIRECT');
    assert.deepEqual((r.evidence.credentials as Decision[]).map((c) => c.sent), [false]);
    assert.ok(attempts(d).some((a) => a.candidate === 'srv' && a.url === OUTSIDER_URL));
    await outsiderNeverGotCredentials(d, account);
    assert.deepEqual(d.causes, ['AUTODISCOVER_UNTRUSTED_REDIRECT', 'SRV_INVALID']);
  });

  test('user@eu.group.test: Autodiscover on the parent registrable domain (via the http probe) is trusted; the whole diagnostic is healthy', async () => {
    const account = 'user@eu.group.test';
    const d = await run({ account });
    assert.equal(d.verdict, 'healthy', summary(d));
    const r = result(d, 'autodiscover');
    assert.equal(r.status, 'pass', summary(d));
    const answered = attempts(d).find((a) => a.status === 200);
    assert.deepEqual([answered?.candidate, answered?.url, answered?.auth, answered?.from],
      ['http-redirect', 'https://autodiscover.group.test/autodiscover/autodiscover.xml', 'basic', 'http://autodiscover.eu.group.test/autodiscover/autodiscover.xml']);
    assert.deepEqual(decisions(d), [{
      url: 'https://autodiscover.group.test/autodiscover/autodiscover.xml', sent: true,
      reason: 'autodiscover.group.test is on the mailbox\'s registrable domain group.test, over verified https',
    }]);
    await gotBasicFor('autodiscover.group.test', account);
    const webmail = result(d, 'webmail').evidence.credentials as Decision[];
    assert.deepEqual(webmail.map((c) => [c.url, c.sent]), [['https://ex.lab.test/EWS/Exchange.asmx', true]]);
  });
});

describe('the outsider, over the whole run', { skip }, () => {
  test('autodiscover.outsider.test never received an Authorization header from any diagnostic', async () => {
    const seen = await standinRequests(OUTSIDER_HOST);
    assert.ok(seen.length >= 5, `every redirect kind reached it: ${seen.length}`);
    assert.deepEqual(seen.filter((r) => r.authorization !== 'none'), []);
  });
});
