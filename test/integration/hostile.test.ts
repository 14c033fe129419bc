// Hostile servers (test/lab/hostile/) through the whole service: every diagnostic ends within its
// deadline with a clear code, the worker's event loop stays responsive while they run (measured in
// this process, where the worker runs, and printed), the IMAP flood is cut off at our limit, and the
// password appears nowhere: not in Redis (every key of every type), logs, results, reports or webhooks.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import type { CheckId } from '../../src/diagnostics/types.js';
import { createLogger } from '../../src/logging.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { startDiagnosticWorker, type DiagnosticWorker } from '../../src/worker/create-worker.js';
import { assertNoLeak } from '../helpers/leaks.js';
import { summary } from '../helpers/diagnose.js';
import { dumpKeys, startService, type Service } from '../helpers/service.js';
import { hostileEvents } from '../lab/hostile/log.js';
import { HOSTILE } from '../lab/scenarios.js';

const DEADLINE_MS = 45_000;

interface Run {
  label: string;
  account: string;
  checks: CheckId[];
  server?: string;
  /** Acceptable `status:code` per check. */
  expect: Partial<Record<CheckId, string[]>>;
}

const RUNS: Run[] = [
  { label: 'IMAP: 2 GB literal in the greeting', account: 'h-imap-greeting@healthy.test', server: HOSTILE.imapGreetingLiteral, checks: ['imap'], expect: { imap: ['fail:IMAP_UNREACHABLE'] } },
  { label: 'IMAP: 2 GB literal in CAPABILITY', account: 'h-imap-capability@healthy.test', server: HOSTILE.imapCapabilityLiteral, checks: ['imap'], expect: { imap: ['fail:IMAP_UNREACHABLE'] } },
  { label: 'IMAP: 2 GB literal in the login answer', account: 'h-imap-login@healthy.test', server: HOSTILE.imapLoginLiteral, checks: ['imap'], expect: { imap: ['fail:IMAP_UNREACHABLE'] } },
  { label: 'SMTP: AUTH line echoed back', account: 'h-smtp@healthy.test', server: HOSTILE.smtpEchoAuth, checks: ['send'], expect: { send: ['fail:AUTH_FAILED'] } },
  { label: 'Autodiscover: 1 MB of unclosed tags', account: 'user@hostile-xml.test', checks: ['autodiscover'], expect: { autodiscover: ['fail:AUTODISCOVER_FAILED'] } },
  { label: 'Autodiscover: HTTP 302 A→B→A', account: 'user@redirect-loop.test', checks: ['autodiscover'], expect: { autodiscover: ['fail:AUTODISCOVER_FAILED'] } },
  { label: 'Autodiscover: POX redirectUrl A→B→A', account: 'user@pox-loop.test', checks: ['autodiscover'], expect: { autodiscover: ['fail:AUTODISCOVER_FAILED'] } },
  { label: 'Autodiscover: POX redirectAddr a@→b@→a@', account: 'a@addr-loop.test', checks: ['autodiscover'], expect: { autodiscover: ['fail:AUTODISCOVER_FAILED'] } },
  { label: 'slowloris: response head one byte a second', account: 'user@slow.test', server: HOSTILE.slowHeaders, checks: ['webmail', 'autodiscover'], expect: { webmail: ['fail:WEBMAIL_UNREACHABLE'], autodiscover: ['fail:AUTODISCOVER_FAILED'] } },
  { label: 'slowloris: body one byte a second', account: 'h-slow-body@healthy.test', server: HOSTILE.slowBody, checks: ['webmail'], expect: { webmail: ['fail:WEBMAIL_UNREACHABLE'] } },
  { label: 'RDAP: HTTP 302 A→B→A', account: 'h-rdap@healthy.test', checks: ['domain'], expect: { domain: ['error:RDAP_UNAVAILABLE', 'error:DOMAIN_LOOKUP_FAILED', 'error:RDAP_ERROR'] } },
];

/** Long, random, and unlike anything else in the output, so that a piece of it is a leak. */
const password = (i: number) => `Hz${i}q-${randomBytes(9).toString('base64url')}-Kw`;

describe('hostile servers through the API', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/hostile.test.ts' }, () => {
  let s: Service;
  let hooks: Server;
  let dir: string;
  let dispatcher: WebhookDispatcher;
  let worker: DiagnosticWorker;
  const bodies: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exdiag-hostile-'));
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookSecrets: [`whsec_${randomBytes(32).toString('base64')}`] }]));
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => { bodies.push(JSON.stringify(req.headers) + body); res.end(); hooks.emit('hit'); });
    });
    hooks.listen(0, '127.0.0.1');
    await once(hooks, 'listening');
    s = await startService({
      PROVIDER: 'none',
      THROTTLE_MAX: '0',
      DIAGNOSTIC_DEADLINE_MS: String(DEADLINE_MS),
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOWLIST: '127.0.0.1/32',
      // The domain check's RDAP server is a redirect loop.
      RDAP_BASE_URL: `https://${HOSTILE.redirectLoopA}/`,
      CLIENTS_FILE: join(dir, 'clients.json'),
    }, { worker: false });
    // The worker as src/worker.ts wires it (diagnostics, then webhooks), in this process, logging
    // into the service's captured lines.
    const logger = createLogger(s.config, { write: (line: string) => { s.logs.push(line); } });
    dispatcher = createWebhookDispatcher({ config: s.config, connection: s.redis, log: logger });
    dispatcher.startWorker();
    worker = await startDiagnosticWorker({ config: s.config, logger, onFinished: (r) => dispatcher.enqueueFor(r) });
  });
  after(async () => {
    await worker?.close(0);
    await dispatcher?.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
    hooks.closeAllConnections();
    await new Promise((r) => hooks.close(r));
  });

  test('each run ends in time with a clear code, the event loop stays responsive, the password stays out', async () => {
    const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    const eventsBefore = (await hostileEvents()).length;
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    const ended = await Promise.all(RUNS.map(async (run, i) => {
      const res = await s.request.post('/v1/diagnostics').set(s.auth)
        .send({ account: run.account, password: password(i), checks: run.checks, webhookUrl: hookUrl, ...(run.server ? { server: run.server } : {}) });
      assert.equal(res.status, 202, `${run.label}: ${JSON.stringify(res.body)}`);
      const started = performance.now();
      await s.waitFor(res.body.id, ['completed', 'failed', 'cancelled'], DEADLINE_MS + 15_000);
      const ms = performance.now() - started;
      const got = await s.request.get(`/v1/diagnostics/${res.body.id}`).set(s.auth);
      assert.equal(got.status, 200);
      return { run, id: res.body.id as string, record: got.body as DiagnosticRecord, ms, pw: password(i) };
    }));
    loop.disable();
    const wall = performance.now() - t0;
    const p = (q: number) => loop.percentile(q) / 1e6;
    console.log(`event-loop delay during ${RUNS.length} hostile diagnostics (${(wall / 1000).toFixed(1)} s): p50 ${p(50).toFixed(1)} ms, p99 ${p(99).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms, mean ${(loop.mean / 1e6).toFixed(1)} ms`);

    for (const { run, record, ms } of ended) {
      const codes = record.results.map((r) => `${r.id}=${r.status}:${r.code ?? ''}`).join(' ');
      console.log(`  ${run.label}: ${record.status} in ${(ms / 1000).toFixed(1)} s — ${codes}`);
      assert.equal(record.status, 'completed', `${run.label}: ${summary(record)}`);
      assert.ok(ms < DEADLINE_MS + 5_000, `${run.label}: ended after ${ms} ms (deadline ${DEADLINE_MS})`);
      for (const [check, allowed] of Object.entries(run.expect)) {
        const r = record.results.find((x) => x.id === check);
        assert.ok(r, `${run.label}: no ${check} result`);
        assert.ok(allowed!.includes(`${r.status}:${r.code}`), `${run.label}: ${check} ended ${r.status}:${r.code} (${r.message}); expected ${allowed!.join(' or ')}`);
        assert.ok(r.message.length > 0 && r.remediation?.en?.text, `${run.label}: ${check} explains itself`);
      }
    }
    assert.ok(p(99) < 100, `event-loop delay p99 ${p(99).toFixed(1)} ms`);

    // The IMAP floods were cut off by our literal limit, not read to the end.
    const events = (await hostileEvents()).slice(eventsBefore);
    const imap = events.filter((e) => e.server === 'imap' && e.event === 'closed');
    for (const mode of ['greeting', 'capability', 'login']) {
      const closed = imap.filter((e) => e.mode === mode);
      assert.ok(closed.length >= 1, `the hostile IMAP server saw the ${mode} run`);
      for (const e of closed) {
        console.log(`  hostile IMAP (${mode}): ${e.bytesSent} bytes pushed before the client hung up, after ${e.ms} ms`);
        assert.ok((e.bytesSent ?? 0) < 16 * 1024 * 1024, `IMAP ${mode}: the client read ${e.bytesSent} bytes of a 2 GB literal`);
      }
    }
    for (const mode of ['unclosed-1mb', 'redirectUrl-loop', 'redirectAddr-loop', '302-to-a', 'slow-headers', 'slow-body']) {
      assert.ok(events.some((e) => e.mode === mode), `the hostile web server answered in mode ${mode}`);
    }

    // Webhooks: one per diagnostic (waited for, not slept on).
    const until = Date.now() + 30_000;
    while (bodies.length < RUNS.length && Date.now() < until) await Promise.race([once(hooks, 'hit'), new Promise((r) => setTimeout(r, 1000))]);
    assert.equal(bodies.length, RUNS.length, 'one webhook per diagnostic');

    const texts: string[] = [...bodies];
    for (const { id } of ended) {
      texts.push(JSON.stringify((await s.request.get(`/v1/diagnostics/${id}`).set(s.auth)).body));
      texts.push((await s.request.get(`/v1/diagnostics/${id}/report`).set(s.auth)).text);
    }
    const dump = await dumpKeys(s.redis, s.config.REDIS_PREFIX);
    assert.ok([...dump.keys()].some((k) => k.includes(':events:')), 'event streams were scanned');
    for (const { run, pw } of ended) {
      assertNoLeak(pw, `Redis (${run.label})`, dump.values());
      assertNoLeak(pw, `the logs (${run.label})`, s.logs);
      assertNoLeak(pw, `results, reports and webhooks (${run.label})`, texts);
    }
    const echoed = ended.find((e) => e.run.server === HOSTILE.smtpEchoAuth)!;
    assert.match(JSON.stringify(echoed.record.results), /535/, 'the echoing server\'s reply is in evidence (scrubbed)');
  });
});
