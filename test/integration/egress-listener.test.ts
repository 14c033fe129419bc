// No check or webhook connection reaches a forbidden address, whatever the request, the DNS answers
// or a server's redirect say. The egress allowlist holds only the lab servers the runs need
// (127.0.0.1, and the hostile web server 127.0.0.5 that issues the redirects); a listener on the
// forbidden alias 127.0.0.6 records every TCP connection on every port a check or a webhook uses,
// and must record none.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import type { CheckId } from '../../src/diagnostics/types.js';
import { createDnsClient } from '../../src/net/dns.js';
import { resolvePlatform } from '../../src/platforms/profile.js';
import { buildCheckDeps } from '../../src/run/build-deps.js';
import { createRegistry } from '../../src/run/registry.js';
import { runDiagnostic } from '../../src/run/runner.js';
import { createWebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { summary } from '../helpers/diagnose.js';
import { startService, type Service } from '../helpers/service.js';
import { startRecorder, type ConnectionRecorder } from '../lab/hostile/recorder.js';
import { ADDR, FORBIDDEN_HOST, HOSTILE, mailbox } from '../lab/scenarios.js';

const ALLOWLIST = `${ADDR.main}/32,${ADDR.hostile}/32`;
/** The forbidden address as a request may spell it. */
const SPELLINGS = [ADDR.forbidden, '0x7f.0.0.6', '2130706438', `[::ffff:${ADDR.forbidden}]`];
const PASSWORD = `Egress-${randomBytes(6).toString('hex')}-pw`;

const lab = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/egress-listener.test.ts';

describe('nothing reaches the forbidden address', { skip: lab }, () => {
  let recorder: ConnectionRecorder;
  let s: Service;
  let dir: string;

  before(async () => {
    recorder = await startRecorder(ADDR.forbidden);
    dir = mkdtempSync(join(tmpdir(), 'exdiag-egress-'));
    // alpha may name any server (the policy leaves it to the egress guard); beta keeps the default.
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', serverOverride: 'any', webhookSecrets: [`whsec_${randomBytes(32).toString('base64')}`] }]));
    s = await startService({
      CHECK_EGRESS_ALLOWLIST: ALLOWLIST, PROVIDER: 'none', THROTTLE_MAX: '0', RECEIVE_TIMEOUT_MS: '3000',
      CLIENTS_FILE: join(dir, 'clients.json'),
    });
  });
  after(async () => {
    await s?.close();
    await recorder?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** POSTs and waits for the end; returns the record (the password never in it). */
  async function run(body: { account: string; checks?: CheckId[]; server?: string; password?: string }): Promise<DiagnosticRecord> {
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send({ password: PASSWORD, ...body });
    assert.equal(res.status, 202, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    const d = await s.waitFor(res.body.id, ['completed', 'failed'], 90_000);
    assert.equal(d.status, 'completed', summary(d));
    assert.ok(!JSON.stringify(d).includes(body.password ?? PASSWORD));
    return d;
  }
  const byId = (d: DiagnosticRecord) => Object.fromEntries(d.results.map((r) => [r.id, r]));
  const refusedByPolicy = (d: DiagnosticRecord, id: CheckId) => {
    const r = byId(d)[id];
    assert.ok(r, `${id}: ${summary(d)}`);
    assert.notEqual(r.status, 'pass', `${id} passed: ${summary(d)}`);
    assert.match(`${r.message} ${JSON.stringify(r.evidence)}`, /EGRESS_FORBIDDEN|egress policy|may not be reached|forbidden/i, `${id}: ${r.code} ${r.message}`);
  };

  test('the listener works: a direct connection is recorded (and then forgotten)', async () => {
    const { connect } = await import('node:net');
    const c = connect({ host: ADDR.forbidden, port: 443 });
    await once(c, 'close');
    assert.equal(recorder.connections.length, 1);
    recorder.connections.length = 0;
  });

  test('`server` as the forbidden IP in every spelling: refused at the POST for a default client', async () => {
    for (const server of SPELLINGS) {
      const res = await s.request.post('/v1/diagnostics').set(s.otherAuth)
        .send({ account: 'healthy@healthy.test', password: PASSWORD, checks: ['imap'], server });
      assert.ok([400, 403].includes(res.status), `${server}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    assert.deepEqual(recorder.connections, []);
  });

  test('`server` as the forbidden IP, accepted for a client with serverOverride "any": the worker refuses every connection', async () => {
    const ran: string[] = [];
    for (const server of SPELLINGS) {
      const res = await s.request.post('/v1/diagnostics').set(s.auth)
        .send({ account: 'healthy@healthy.test', password: PASSWORD, checks: ['imap', 'send', 'webmail'], server });
      // The API's hostname format may refuse a bracketed IPv6 form; the worker is proven below either way.
      if (res.status === 400) continue;
      assert.equal(res.status, 202, `${server}: ${JSON.stringify(res.body)}`);
      const d = await s.waitFor(res.body.id, ['completed', 'failed'], 60_000);
      assert.equal(d.status, 'completed', summary(d));
      const r = byId(d);
      assert.deepEqual([r.imap.code, r.send.code, r.webmail.code], ['IMAP_UNREACHABLE', 'SMTP_UNREACHABLE', 'WEBMAIL_UNREACHABLE'], `${server}: ${summary(d)}`);
      for (const id of ['imap', 'send', 'webmail'] as const) refusedByPolicy(d, id);
      ran.push(server);
    }
    // Dotted, hex and decimal spellings are host names to the API: they reach the worker.
    assert.deepEqual(ran, SPELLINGS.slice(0, 3), 'the spellings that passed the API ran in the worker');
    assert.deepEqual(recorder.connections, []);
  });

  test('worker level (runDiagnostic with buildCheckDeps): every spelling, including [::ffff:…]', async () => {
    const config = loadConfig({ ...process.env, CHECK_EGRESS_ALLOWLIST: ALLOWLIST, PROVIDER: 'none', LOG_LEVEL: 'silent' });
    const deps = buildCheckDeps(config);
    try {
      for (const server of SPELLINGS) {
        const platform = resolvePlatform('lab', config.platforms.get('lab')!, server);
        const report = await runDiagnostic(
          { diagnosticId: `egress-${server}`, account: 'healthy@healthy.test', password: PASSWORD, platform, checks: ['imap', 'send', 'webmail'] },
          { registry: createRegistry(), deps, log: pino({ level: 'silent' }), deadlineMs: 30_000 },
        );
        const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
        assert.deepEqual([by.imap.code, by.send.code, by.webmail.code], ['IMAP_UNREACHABLE', 'SMTP_UNREACHABLE', 'WEBMAIL_UNREACHABLE'], server);
        for (const c of report.checks) assert.match(`${c.message} ${JSON.stringify(c.evidence)}`, /EGRESS_FORBIDDEN|egress policy|forbidden/i, `${server} ${c.id}: ${c.message}`);
      }
    } finally {
      await deps.net.close();
    }
    assert.deepEqual(recorder.connections, []);
  });

  test('DNS answers: MX, SRV, the domain, autodiscover.<domain> and the server name all lead to the forbidden address', async () => {
    // forbidden.lab.test is a platform host by name, so even a default client may name it.
    const d = await run({ account: 'user@egress-forbidden.test', server: FORBIDDEN_HOST });
    for (const id of ['imap', 'send', 'webmail', 'autodiscover'] as const) refusedByPolicy(d, id);
    assert.equal(byId(d).mx.status, 'fail', 'the MX is not the platform\'s');
    const receive = byId(d).receive;
    assert.ok(receive && receive.status !== 'pass', summary(d));
    assert.deepEqual(recorder.connections, []);
  });

  test('DNS answers spelled as IP literals: MX 127.0.0.6 / 0x7f.0.0.6 / 2130706438, SRV target 2130706438', async () => {
    // A real mailbox: the receive check logs in, then delivers through the domain's MX.
    const account = 'user@egress-literal.test';
    const d = await run({ account, password: mailbox(account).password, checks: ['mx', 'srv', 'autodiscover', 'receive'] });
    refusedByPolicy(d, 'autodiscover');
    assert.match(JSON.stringify(byId(d).receive.evidence), /EGRESS_FORBIDDEN|forbidden/i, summary(d));
    assert.deepEqual(recorder.connections, []);
  });

  test('a server\'s redirects: HTTP 302, POX redirectUrl (every spelling, and a name) and an EwsUrl at the forbidden address', async () => {
    for (const local of ['mapped', 'hex', 'decimal', 'name', 'ews']) {
      const d = await run({ account: `${local}@egress-redirect.test`, checks: ['autodiscover'] });
      const r = byId(d).autodiscover;
      const attempts = JSON.stringify(r.evidence);
      if (local === 'ews') {
        // Reported as data, never dialled: no check connects to an EwsUrl it was handed.
        assert.match(attempts, /127\.0\.0\.6\/EWS/);
      } else {
        assert.notEqual(r.status, 'pass', summary(d));
        assert.match(attempts, /EGRESS_FORBIDDEN|forbidden/i, `${local}: ${attempts.slice(0, 600)}`);
      }
      assert.match(attempts, new RegExp(HOSTILE.toForbidden.replace(/\./g, '\\.')), 'the redirecting server was reached');
    }
    assert.deepEqual(recorder.connections, []);
  });

  test('webhooks to the forbidden address: refused at the POST, and at delivery (literals, a name, a redirect)', async () => {
    for (const url of SPELLINGS.map((h) => `http://${h}/hook`)) {
      const res = await s.request.post('/v1/diagnostics').set(s.auth)
        .send({ account: 'healthy@healthy.test', password: PASSWORD, checks: ['mx'], webhookUrl: url });
      assert.ok([400, 422].includes(res.status), `${url}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // A receiver on an allowed address that redirects to the forbidden one.
    const redirector: Server = createServer((_req, res) => { res.writeHead(302, { location: `http://${ADDR.forbidden}/hook` }); res.end(); });
    redirector.listen(0, ADDR.main);
    await once(redirector, 'listening');
    const config = loadConfig({
      ...process.env, REDIS_PREFIX: s.config.REDIS_PREFIX, API_KEYS: 'alpha:0123456789abcdef0123', CLIENTS_FILE: join(dir, 'clients.json'), WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWLIST: `${ADDR.main}/32`, WEBHOOK_RETRY_SCHEDULE: '0.1', WEBHOOK_TIMEOUT_MS: '3000',
    });
    // Deliveries resolve names with the lab's DNS, where forbidden.lab.test is 127.0.0.6.
    const dns = createDnsClient({ servers: config.DNS_SERVERS, timeoutMs: 2000 });
    const dispatcher = createWebhookDispatcher({
      config, connection: s.redis, log: pino({ level: 'silent' }),
      resolve: (host, cb) => void dns.addresses(host).then((a) => (a.ok
        ? cb(null, a.records.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))
        : cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []))),
    });
    const worker = dispatcher.startWorker();
    const settled = new Set<string>();
    const track = (job?: { id?: string; finishedOn?: number }) => { if (job?.id) settled.add(job.id); };
    worker.on('completed', track);
    worker.on('failed', track);
    try {
      const urls = [...SPELLINGS.map((h) => `http://${h}/hook`), `http://${FORBIDDEN_HOST}/hook`, `https://${FORBIDDEN_HOST}/hook`,
        `http://${ADDR.main}:${(redirector.address() as AddressInfo).port}/to-forbidden`];
      const ids: string[] = [];
      for (const webhookUrl of urls) {
        const id = `d_${randomBytes(8).toString('hex')}`;
        ids.push(id);
        await dispatcher.enqueueFor({
          id, clientId: 'alpha', account: 'healthy@healthy.test', platform: 'lab', checks: ['mx'], locale: 'en', status: 'completed',
          progress: { total: 1, completed: 1, running: [] }, results: [], verdict: 'healthy', causes: [], webhookUrl,
          createdAt: new Date().toISOString(), finishedAt: new Date().toISOString(), durationMs: 1,
        } as unknown as DiagnosticRecord);
      }
      // Every delivery has at least one attempt logged (refused by policy, or failed on the redirect).
      const until = Date.now() + 30_000;
      for (;;) {
        const logs = await Promise.all(ids.map((id) => dispatcher.deliveries(id)));
        if (logs.every((l) => l.length > 0)) {
          for (const [i, l] of logs.entries()) {
            assert.ok(l.every((a) => a.outcome !== 'delivered'), `${urls[i]}: ${JSON.stringify(l)}`);
            if (!urls[i].includes('to-forbidden')) assert.equal(l[0].outcome, 'refused', `${urls[i]}: ${JSON.stringify(l[0])}`);
          }
          break;
        }
        assert.ok(Date.now() < until, `deliveries not attempted: ${JSON.stringify(logs)}`);
        await once(worker, 'completed', { signal: AbortSignal.timeout(500) }).catch(() => undefined);
      }
    } finally {
      await dispatcher.close();
      redirector.closeAllConnections();
      await new Promise((r) => redirector.close(r));
    }
    assert.deepEqual(recorder.connections, []);
  });
});
