// The HTTPS stand-ins over real TLS: the official `ovh` client's signed calls, the provider
// contract, Autodiscover/EWS/OWA with their failed-login log, RDAP and the status page.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { makeCerts } from '../lab/certs.js';
import { DOMAINS, HOSTS, LAB_MX, LAB_SERVER, mailbox, OVH, PROVIDER_HTTP_TOKEN, STATUS } from '../lab/scenarios.js';
import { startStandins, type Standins } from '../lab/standins/index.js';
import { OUTLOOK_SCHEMA } from '../lab/standins/autodiscover.js';

interface OvhClient { requestPromised(method: string, path: string, params?: Record<string, unknown>): Promise<unknown> }
const ovh = createRequire(import.meta.url)('ovh') as (p: Record<string, unknown>) => OvhClient;

let dir: string;
let standins: Standins;
let ca: Buffer;
let logFile: string;
let http: Agent;

/** Resolves lab names as the lab's dnsmasq would, so requests go out by name (SNI, Host). */
const labLookup: LookupFunction = (hostname, options, cb) => {
  const address = HOSTS[hostname] ?? (/^\d+\.\d+\.\d+\.\d+$/.test(hostname) ? hostname : undefined);
  const done = cb as (...args: unknown[]) => void;
  if (!address) return done(Object.assign(new Error(`lab: no host ${hostname}`), { code: 'ENOTFOUND' }));
  if ((options as { all?: boolean }).all) return done(null, [{ address, family: 4 }]);
  return done(null, address, 4);
};

const url = (host: string, path: string) => `https://${host}:${standins.port}${path}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function call(host: string, path: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url(host, path), { dispatcher: http, method: init.method ?? 'GET', headers: init.headers, body: init.body });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

async function authFailures(): Promise<Array<{ event: string; user: string; protocol: string; at: string }>> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

const challenges = (h: string | string[] | undefined) => (Array.isArray(h) ? h : h ? [h] : []);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'standins-'));
  const certs = await makeCerts(dir);
  ca = await readFile(certs.ca);
  logFile = join(dir, 'http-auth.log');
  // Port 0: the test may run beside a lab that already holds 443.
  standins = await startStandins({ dir, caCertPath: certs.ca, cert: certs.main, expiredCert: certs.expired, logFile, port: 0 });
  http = new Agent({ connect: { ca, lookup: labLookup } });
  // The `ovh` package uses node:https with the global agent; it has no option for a CA.
  https.globalAgent.options.ca = ca;
});

after(async () => {
  await http?.close();
  await standins?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('OVHcloud API', () => {
  const client = (overrides: Record<string, unknown> = {}) =>
    ovh({ appKey: OVH.appKey, appSecret: OVH.appSecret, consumerKey: OVH.consumerKey, host: '127.0.0.1', port: standins.port, basePath: '/1.0', ...overrides });
  const svc = `/email/exchange/${OVH.organization}/service/${OVH.service}`;

  test('the official client reads the Exchange service, domains and accounts', async () => {
    const c = client();
    assert.deepEqual(await c.requestPromised('GET', '/email/exchange'), [OVH.organization]);
    assert.deepEqual(await c.requestPromised('GET', `/email/exchange/${OVH.organization}/service`), [OVH.service, OVH.ipRestricted.service]);
    const service = await c.requestPromised('GET', svc) as Record<string, unknown>;
    assert.equal(service.hostname, LAB_SERVER);
    assert.equal(service.offer, 'hosted');
    assert.equal(service.lockoutThreshold, OVH.lockout.lockoutThreshold);
    assert.equal(service.lockoutDuration, OVH.lockout.lockoutDuration);
    assert.ok(Date.parse(service.sslExpirationDate as string) > Date.now());
    const restricted = OVH.ipRestricted.domains as readonly string[];
    assert.deepEqual(await c.requestPromised('GET', `${svc}/domain`), Object.keys(DOMAINS).filter((d) => !restricted.includes(d)));
    // The second service holds its own domain (its authorised IPs leave the lab's loopback out).
    const svc2 = `/email/exchange/${OVH.organization}/service/${OVH.ipRestricted.service}`;
    assert.deepEqual(await c.requestPromised('GET', `${svc2}/domain`), [...restricted]);
    // (Not `…/authorizedIp` with this client: it signs no path that contains "/auth", so the API
    // answers NOT_CREDENTIAL; test/integration/provider-contracts.test.ts reads it with the adapter.)
    const good = await c.requestPromised('GET', `${svc}/domain/healthy.test`) as Record<string, unknown>;
    // mxRecord is what DNS holds, expectedMX what the platform expects (reference sheet §6).
    assert.deepEqual([good.mxIsValid, good.srvIsValid, good.expectedMX, good.mxRecord, good.type], [true, true, LAB_MX, LAB_MX.map((h) => `${h}.`), 'authoritative']);
    const bad = await c.requestPromised('GET', `${svc}/domain/mx-elsewhere.test`) as Record<string, unknown>;
    assert.deepEqual([bad.mxIsValid, bad.mxRecord, bad.expectedMX], [false, ['mx.elsewhere.test.'], LAB_MX]);
    const wrongSrv = await c.requestPromised('GET', `${svc}/domain/srv-wrong.test`) as Record<string, unknown>;
    assert.equal(wrongSrv.srvIsValid, false);

    const healthy = await c.requestPromised('GET', `${svc}/account/healthy@healthy.test`) as Record<string, unknown>;
    assert.deepEqual([healthy.primaryEmailAddress, healthy.state, healthy.spamDetected, healthy.login, healthy.domain], ['healthy@healthy.test', 'ok', false, 'healthy', 'healthy.test']);
    const suspended = await c.requestPromised('GET', `${svc}/account/suspended@healthy.test`) as Record<string, unknown>;
    assert.equal(suspended.state, 'suspended');
    const spammer = await c.requestPromised('GET', `${svc}/account/spammer@healthy.test`) as Record<string, unknown>;
    assert.deepEqual([spammer.spamDetected, spammer.spamTicketNumber], [true, 4242]);
    const expired = await c.requestPromised('GET', `${svc}/account/expired@healthy.test`) as Record<string, unknown>;
    assert.ok(Date.parse(expired.expirationDate as string) < Date.now());
    const listed = await c.requestPromised('GET', `${svc}/account`, { primaryEmailAddress: '%@healthy.test' }) as string[];
    assert.ok(listed.includes('healthy@healthy.test') && !listed.includes('ghost@healthy.test') && !listed.includes('user@dropped.test'));
  });

  test('protocol switches and the account diagnosis', async () => {
    const c = client();
    const imapoff = await c.requestPromised('GET', `${svc}/account/imapoff@healthy.test/protocol`) as Record<string, unknown>;
    assert.deepEqual([imapoff.IMAP, imapoff.POP, imapoff.webMail, imapoff.activeSync], [false, true, true, true]);
    const locked = await c.requestPromised('GET', `${svc}/account/locked@healthy.test/diagnostics`) as Record<string, unknown>;
    assert.deepEqual([locked.isLocked, locked.isSuspended, locked.isSpammer, locked.connectiveOWA], [true, false, false, false]);
    const dropped = await c.requestPromised('GET', `${svc}/account/user@dropped.test/diagnostics`) as Record<string, unknown>;
    assert.deepEqual([dropped.isMxValid, dropped.canReceiveEmail, dropped.canSendEmail], [true, false, true]);
  });

  test('an account the provider does not know is 404 Client::NotFound', async () => {
    await assert.rejects(client().requestPromised('GET', `${svc}/account/ghost@healthy.test`), (e: { error: number; message: string }) => {
      assert.equal(e.error, 404);
      assert.match(e.message, /primaryEmailAddress = ghost@healthy\.test\) does not exist/);
      return true;
    });
  });

  test('a wrong application secret is rejected with INVALID_SIGNATURE, a wrong key with 403', async () => {
    await assert.rejects(client({ appSecret: 'not-the-secret' }).requestPromised('GET', '/email/exchange'), (e: { error: number; message: string }) => {
      assert.deepEqual([e.error, e.message], [400, 'Invalid signature']);
      return true;
    });
    await assert.rejects(client({ appKey: 'someoneElse' }).requestPromised('GET', '/email/exchange'), (e: { error: number }) => e.error === 403);
    await assert.rejects(client({ consumerKey: 'revokedConsumer' }).requestPromised('GET', '/email/exchange'), (e: { error: number; message: string }) => e.error === 403 && /credential/.test(e.message));
  });

  test('signed by name like api.ovh.com; stale timestamps and tampered URLs are refused', async () => {
    const time = await call('api.lab.test', '/1.0/auth/time');
    const now = Number(time.text);
    assert.ok(Math.abs(now - Date.now() / 1000) < 5);
    const signed = (ts: number, signedUrl: string) => ({
      'X-Ovh-Application': OVH.appKey, 'X-Ovh-Consumer': OVH.consumerKey, 'X-Ovh-Timestamp': String(ts),
      'X-Ovh-Signature': `$1$${createHash('sha1').update([OVH.appSecret, OVH.consumerKey, 'GET', signedUrl, '', ts].join('+')).digest('hex')}`,
    });
    const target = url('api.lab.test', '/1.0/email/exchange');
    const ok = await call('api.lab.test', '/1.0/email/exchange', { headers: signed(now, target) });
    assert.equal(ok.status, 200);
    assert.ok(String(ok.headers['content-type']).startsWith('application/json'));
    const stale = await call('api.lab.test', '/1.0/email/exchange', { headers: signed(now - 3600, target) });
    assert.deepEqual([stale.status, JSON.parse(stale.text).errorCode], [400, 'QUERY_TIME_OUT']);
    const tampered = await call('api.lab.test', '/1.0/email/exchange?x=1', { headers: signed(now, target) });
    assert.deepEqual(JSON.parse(tampered.text), { errorCode: 'INVALID_SIGNATURE', httpCode: '400 Bad Request', message: 'Invalid signature' });
    const unsigned = await call('api.lab.test', '/1.0/email/exchange', { headers: { 'X-Ovh-Application': OVH.appKey, 'X-Ovh-Consumer': OVH.consumerKey } });
    assert.equal(unsigned.status, 400);
  });
});

describe('generic HTTP provider', () => {
  const get = (email: string, token = PROVIDER_HTTP_TOKEN) => call('provider.lab.test', `/v1/accounts/${encodeURIComponent(email)}`, { headers: { Authorization: `Bearer ${token}` } });

  test('reports the account state from the contract', async () => {
    const healthy = JSON.parse((await get('healthy@healthy.test')).text);
    assert.deepEqual([healthy.state, healthy.locked, healthy.spamBlocked, healthy.server, healthy.expectedMx, healthy.disabledProtocols], ['active', false, false, LAB_SERVER, LAB_MX, []]);
    assert.deepEqual(healthy.lockoutPolicy, { threshold: OVH.lockout.lockoutThreshold, durationMinutes: OVH.lockout.lockoutDuration });
    assert.equal(JSON.parse((await get('suspended@healthy.test')).text).state, 'suspended');
    const spammer = JSON.parse((await get('SPAMMER@healthy.test')).text);
    assert.deepEqual([spammer.email, spammer.spamBlocked, spammer.spamTicket], ['spammer@healthy.test', true, 'SPAM-4242']);
    const locked = JSON.parse((await get('locked@healthy.test')).text);
    assert.ok(locked.locked && Date.parse(locked.lockedUntil) > Date.now());
    assert.deepEqual(JSON.parse((await get('imapoff@healthy.test')).text).disabledProtocols, ['imap']);
    assert.ok(Date.parse(JSON.parse((await get('expired@healthy.test')).text).expiresAt) < Date.now());
  });

  test('unknown account is a 404 problem, a bad token a 401', async () => {
    const ghost = await get('ghost@healthy.test');
    assert.equal(ghost.status, 404);
    assert.equal(ghost.headers['content-type'], 'application/problem+json');
    assert.equal(JSON.parse(ghost.text).code, 'ACCOUNT_NOT_FOUND');
    const denied = await get('healthy@healthy.test', 'wrong-token');
    assert.equal(denied.status, 401);
    assert.match(String(denied.headers['www-authenticate']), /^Bearer/);
  });
});

describe('Exchange Autodiscover, EWS and OWA', () => {
  const pox = (address: string, schema = OUTLOOK_SCHEMA) => `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>${schema}</AcceptableResponseSchema></Request>
</Autodiscover>`;
  const getFolder = (folder: string) => `<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">
  <soap:Header><t:RequestServerVersion Version="Exchange2013"/></soap:Header>
  <soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape>
  <m:FolderIds><t:DistinguishedFolderId Id="${folder}"/></m:FolderIds></m:GetFolder></soap:Body>
</soap:Envelope>`;
  const healthy = mailbox('healthy@healthy.test');
  const xmlHeaders = (auth?: string) => ({ 'Content-Type': 'text/xml; charset=utf-8', ...(auth ? { Authorization: auth } : {}) });

  test('Autodiscover: 401 Basic challenge, then the POX settings for good credentials', async () => {
    const anon = await call('ex.lab.test', '/autodiscover/autodiscover.xml', { method: 'POST', headers: xmlHeaders(), body: pox(healthy.address) });
    assert.equal(anon.status, 401);
    assert.deepEqual(challenges(anon.headers['www-authenticate']), ['Basic realm="ex.lab.test"']);
    const ok = await call('ex.lab.test', '/Autodiscover/Autodiscover.xml', { method: 'POST', headers: xmlHeaders(basic(healthy.address, healthy.password)), body: pox(healthy.address) });
    assert.equal(ok.status, 200);
    assert.match(ok.text, new RegExp(`<Response xmlns="${OUTLOOK_SCHEMA}">`));
    assert.match(ok.text, /<AccountType>email<\/AccountType>\s*<Action>settings<\/Action>/);
    assert.match(ok.text, /<DisplayName>healthy<\/DisplayName>/);
    for (const type of ['EXCH', 'EXPR', 'WEB']) assert.match(ok.text, new RegExp(`<Type>${type}</Type>`));
    assert.match(ok.text, new RegExp(`<EwsUrl>https://ex\\.lab\\.test:${standins.port}/EWS/Exchange\\.asmx</EwsUrl>`));
    assert.match(ok.text, /<OWAUrl AuthenticationMethod="[^"]+">https:\/\/ex\.lab\.test:\d+\/owa\/<\/OWAUrl>/);
    const unknown = await call('ex.lab.test', '/autodiscover/autodiscover.xml', { method: 'POST', headers: xmlHeaders(basic(healthy.address, healthy.password)), body: pox('nobody@healthy.test') });
    assert.match(unknown.text, /<ErrorCode>500<\/ErrorCode>/);
    const get = await call('ex.lab.test', '/autodiscover/autodiscover.xml');
    assert.equal(get.status, 401);
  });

  test('wrong passwords and denied accounts cost one logged failure each, without the password', async () => {
    const before = (await authFailures()).length;
    const wrong = await call('ex.lab.test', '/autodiscover/autodiscover.xml', { method: 'POST', headers: xmlHeaders(basic('wrongpw@healthy.test', 'not-the-password')), body: pox('wrongpw@healthy.test') });
    assert.equal(wrong.status, 401);
    const suspended = mailbox('suspended@healthy.test');
    const denied = await call('ex.lab.test', '/EWS/Exchange.asmx', { method: 'POST', headers: xmlHeaders(basic(suspended.address, suspended.password)), body: getFolder('inbox') });
    assert.equal(denied.status, 401);
    const lines = (await authFailures()).slice(before);
    assert.deepEqual(lines.map((l) => [l.event, l.user, l.protocol]), [['auth_failed', 'wrongpw@healthy.test', 'autodiscover'], ['auth_failed', suspended.address, 'ews']]);
    const raw = await readFile(logFile, 'utf8');
    assert.ok(!raw.includes('not-the-password') && !raw.includes(suspended.password));
  });

  test('a right password Exchange refuses anyway: outside the authorised IPs → 401 and a logged failure; a policy that blocks IMAP only leaves EWS open', async () => {
    // exchange-auth.ts `refusedAnyway`: the lab's client is 127.0.0.1, outside user@iprestricted.test's 203.0.113.0/24.
    const restricted = mailbox('user@iprestricted.test');
    const before = (await authFailures()).length;
    const refused = await call('ex.lab.test', '/EWS/Exchange.asmx', { method: 'POST', headers: xmlHeaders(basic(restricted.address, restricted.password)), body: getFolder('inbox') });
    assert.equal(refused.status, 401);
    assert.deepEqual(challenges(refused.headers['www-authenticate']), ['Basic realm="ex.lab.test"'], 'answered like any refused login');
    assert.deepEqual((await authFailures()).slice(before).map((l) => [l.event, l.user, l.protocol]), [['auth_failed', restricted.address, 'ews']]);
    const legacy = mailbox('legacyimap@healthy.test');
    const open = await call('ex.lab.test', '/EWS/Exchange.asmx', { method: 'POST', headers: xmlHeaders(basic(legacy.address, legacy.password)), body: getFolder('inbox') });
    assert.equal(open.status, 200, 'blockLegacyAuthImap does not touch EWS');
  });

  test('EWS GetFolder inbox answers a real GetFolderResponse; unknown operations a SOAP fault', async () => {
    const auth = basic(healthy.address, healthy.password);
    const res = await call('ex.lab.test', '/EWS/Exchange.asmx', { method: 'POST', headers: xmlHeaders(auth), body: getFolder('inbox') });
    assert.equal(res.status, 200);
    assert.match(res.text, /<m:GetFolderResponseMessage ResponseClass="Success">\s*<m:ResponseCode>NoError<\/m:ResponseCode>/);
    assert.match(res.text, /<t:FolderId Id="[^"]+" ChangeKey="[^"]+"\/>/);
    assert.match(res.text, /<t:DisplayName>Inbox<\/t:DisplayName>/);
    assert.match(res.text, /<t:TotalCount>\d+<\/t:TotalCount>[\s\S]*<t:UnreadCount>\d+<\/t:UnreadCount>/);
    const other = await call('ex.lab.test', '/EWS/Exchange.asmx', { method: 'POST', headers: xmlHeaders(auth), body: getFolder('inbox').replace(/GetFolder>/g, 'FrobnicateFolder>').replace('<m:GetFolder>', '<m:FrobnicateFolder>') });
    assert.equal(other.status, 500);
    assert.match(other.text, /<faultcode[^>]*>a:ErrorInvalidRequest<\/faultcode>/);
    const noAuth = await call('ex.lab.test', '/EWS/Exchange.asmx', { method: 'POST', headers: xmlHeaders(), body: getFolder('inbox') });
    assert.equal(noAuth.status, 401);
  });

  test('nobasic.lab.test offers only Negotiate and NTLM, and logs no login', async () => {
    const before = (await authFailures()).length;
    for (const [path, method] of [['/EWS/Exchange.asmx', 'POST'], ['/autodiscover/autodiscover.xml', 'POST'], ['/owa/', 'GET']] as const) {
      const res = await call('nobasic.lab.test', path, { method, headers: xmlHeaders(basic(healthy.address, healthy.password)), body: method === 'POST' ? getFolder('inbox') : undefined });
      assert.equal(res.status, 401, path);
      assert.deepEqual(challenges(res.headers['www-authenticate']), ['Negotiate', 'NTLM'], path);
    }
    assert.equal((await authFailures()).length, before);
  });

  test('OWA: sign-in form, failed sign-in redirect (logged), session after a good one', async () => {
    const form = await call('ex.lab.test', '/owa/');
    assert.equal(form.status, 200);
    assert.match(String(form.headers['content-type']), /^text\/html/);
    assert.match(form.text, /<form action="\/owa\/auth\.owa" method="POST"/);
    const before = (await authFailures()).length;
    const post = (user: string, password: string) => call('ex.lab.test', '/owa/auth.owa', {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ destination: '/owa/', flags: '4', username: user, password }).toString(),
    });
    const bad = await post(healthy.address, 'nope');
    assert.equal(bad.status, 302);
    assert.match(String(bad.headers.location), /reason=2/);
    assert.deepEqual((await authFailures()).slice(before).map((l) => [l.user, l.protocol]), [[healthy.address, 'owa']]);
    const good = await post(healthy.address, healthy.password);
    assert.equal(good.status, 302);
    const cookie = challenges(good.headers['set-cookie']).map((c) => c.split(';')[0]).join('; ');
    const inbox = await call('ex.lab.test', '/owa/', { headers: { Cookie: cookie } });
    assert.match(inbox.text, /data-user="healthy@healthy\.test"/);
  });

  test('expired.lab.test serves the same routes behind an expired certificate', async () => {
    await assert.rejects(call('expired.lab.test', '/owa/'), (e: { code?: string; cause?: { code?: string } }) => (e.code ?? e.cause?.code) === 'CERT_HAS_EXPIRED');
    const lax = new Agent({ connect: { ca, lookup: labLookup, rejectUnauthorized: false } });
    try {
      const res = await request(url('expired.lab.test', '/owa/'), { dispatcher: lax });
      assert.equal(res.statusCode, 200);
      await res.body.text();
    } finally {
      await lax.close();
    }
  });
});

describe('RDAP', () => {
  test('registered domains, expired ones on hold, unregistered and unknown ones 404', async () => {
    const ok = await call('rdap.lab.test', '/domain/healthy.test');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'application/rdap+json');
    const body = JSON.parse(ok.text);
    assert.deepEqual([body.objectClassName, body.ldhName], ['domain', 'healthy.test']);
    assert.ok(body.rdapConformance.includes('rdap_level_0'));
    assert.ok(body.status.includes('active'));
    const expiry = body.events.find((e: { eventAction: string }) => e.eventAction === 'expiration');
    assert.equal(expiry.eventDate, (DOMAINS['healthy.test'].rdap as { expires: string }).expires);
    for (const action of ['registration', 'last changed']) assert.ok(body.events.some((e: { eventAction: string }) => e.eventAction === action));
    assert.equal(body.links[0].rel, 'self');
    const expired = JSON.parse((await call('rdap.lab.test', '/domain/EXPIRED-DOMAIN.test')).text);
    assert.ok(expired.status.includes('client hold'));
    for (const name of ['unregistered.test', 'nowhere.example']) {
      const missing = await call('rdap.lab.test', `/domain/${name}`);
      assert.equal(missing.status, 404);
      assert.equal(JSON.parse(missing.text).errorCode, 404);
    }
  });
});

describe('status page', () => {
  test('/api/v2 is quiet; /incident/api/v2 has one open major incident on the lab component', async () => {
    const quiet = JSON.parse((await call('status.lab.test', '/api/v2/summary.json')).text);
    assert.deepEqual([quiet.status.indicator, quiet.incidents], ['none', []]);
    assert.ok(quiet.components.some((c: { name: string; status: string }) => c.name === STATUS.component && c.status === 'operational'));
    assert.deepEqual(JSON.parse((await call('status.lab.test', '/api/v2/incidents/unresolved.json')).text).incidents, []);
    const open = JSON.parse((await call('status.lab.test', '/incident/api/v2/incidents/unresolved.json')).text).incidents;
    assert.equal(open.length, 1);
    assert.deepEqual([open[0].name, open[0].status, open[0].impact, open[0].shortlink], [STATUS.incident.name, 'investigating', 'major', STATUS.incident.shortlink]);
    assert.ok(open[0].components.some((c: { name: string }) => c.name === STATUS.component));
    assert.ok(open[0].incident_updates.length > 0);
    const all = JSON.parse((await call('status.lab.test', '/incident/api/v2/incidents.json')).text).incidents;
    assert.ok(all.some((i: { status: string }) => i.status === 'resolved'));
    const comps = JSON.parse((await call('status.lab.test', '/incident/api/v2/components.json')).text).components;
    assert.notEqual(comps.find((c: { name: string }) => c.name === STATUS.component).status, 'operational');
  });
});

test('names without a site get IIS\'s invalid hostname answer', async () => {
  const res = await request(`https://127.0.0.1:${standins.port}/owa/`, { dispatcher: http, headers: { Host: 'mx1.lab.test' } });
  assert.equal(res.statusCode, 400);
  await res.body.text();
});
