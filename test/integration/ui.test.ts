// The support page in a real headless Chromium against the service, a worker, the webhook worker
// and the lab: a healthy run with the platform, server, checks and ticket chosen; its webhook
// deliveries and a re-send to a receiver on loopback; the mailbox's history; a wrong password in
// French and the printed report; a 409 that offers the running diagnostic, which is then cancelled.
// Each state is saved as a PNG (into UI_SCREENSHOT_DIR, else $TMPDIR/exdiag-ui-screenshots) to look at.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { remediationFor } from '../../src/diagnostics/remediation.js';
import { CHECK_IDS } from '../../src/diagnostics/types.js';
import { createLogger } from '../../src/logging.js';
import { createRedis } from '../../src/store/redis.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { startDiagnosticWorker, type DiagnosticWorker } from '../../src/worker/create-worker.js';
import { mailbox } from '../lab/scenarios.js';
import { startService, type Service } from '../helpers/service.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TICKET = 'TCK-4711';
const SUBSET = ['account', 'mx', 'srv', 'imap', 'send', 'receive'] as const;

interface Hit { diagnosticId: string; type: string; ticket: unknown; signed: boolean; webhookId: string }

describe('support page', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/ui.test.ts' }, () => {
  let svc: Service;
  let worker: DiagnosticWorker;
  let webhooks: WebhookDispatcher;
  let webhookRedis: ReturnType<typeof createRedis>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let dir: string;
  let shots: string;
  let shotNo = 0;
  const problems: string[] = [];
  const urls: string[] = [];
  const hits: Hit[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      const payload = JSON.parse(body) as { type: string; data: { diagnostic: { id: string; metadata?: { ticket?: unknown } } } };
      hits.push({ diagnosticId: payload.data.diagnostic.id, type: payload.type, ticket: payload.data.diagnostic.metadata?.ticket, signed: verifies(req.headers, body), webhookId: String(req.headers['webhook-id']) });
      res.end('ok');
    });
  });

  const verifies = (headers: IncomingHttpHeaders, body: string) => {
    try {
      new Webhook(SECRET).verify(body, headers as Record<string, string>);
      return true;
    } catch {
      return false;
    }
  };

  /** A full-page PNG of the current state; the file names are listed in the test output. */
  const shot = async (name: string) => {
    const path = join(shots, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
  };

  /** Takes the expected failed request (and Chromium's console line about it) off the problem list. */
  const expectFailedRequest = (status: number, path: RegExp) => {
    const mine = problems.filter((p) => (p.startsWith(`${status} `) && path.test(p)) || p.includes(`status of ${status}`));
    assert.ok(mine.some((p) => p.startsWith(`${status} `)), `a ${status} response was seen`);
    for (const p of mine) problems.splice(problems.indexOf(p), 1);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exdiag-ui-'));
    shots = process.env.UI_SCREENSHOT_DIR ?? join(tmpdir(), 'exdiag-ui-screenshots');
    mkdirSync(shots, { recursive: true });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    // alpha (the page's key) has a signing secret and a webhook URL, and two lab platforms; the
    // deployment's default is the one with an open incident, so a healthy run needs the agent's choice.
    writeFileSync(join(dir, 'clients.json'), JSON.stringify([{ id: 'alpha', webhookUrl: hook, webhookSecrets: [SECRET], platforms: ['lab-incident', 'lab'] }]));
    svc = await startService({
      CLIENTS_FILE: join(dir, 'clients.json'), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWLIST: '127.0.0.1',
      DEFAULT_PLATFORM: 'lab-incident', RECEIVE_TIMEOUT_MS: '60000',
    }, { worker: false });
    const logger = createLogger({ LOG_LEVEL: 'silent' });
    webhookRedis = createRedis(svc.config, 'worker');
    webhooks = createWebhookDispatcher({ config: svc.config, connection: webhookRedis, log: logger });
    webhooks.startWorker();
    worker = await startDiagnosticWorker({ config: svc.config, logger, onFinished: (r) => webhooks.enqueueFor(r) });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    // Playwright gives the browser a fresh profile directory of its own.
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    // CSP violations, script errors and failed requests all surface here.
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
    page.on('request', (r) => urls.push(r.url()));
  });

  after(async () => {
    await browser?.close();
    await worker?.close(0);
    await webhooks?.close();
    await webhookRedis?.quit().catch(() => webhookRedis.disconnect());
    await svc?.close();
    receiver.closeAllConnections();
    await new Promise((r) => receiver.close(r));
    process.stdout.write(`# support page screenshots: ${shots}\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  const fillRun = async (account: string, password: string, checks: readonly string[] = CHECK_IDS) => {
    await page.fill('#account', account);
    await page.fill('#password', password);
    await page.click('#checks-none');
    for (const c of checks) await page.check(`#check-boxes input[value="${c}"]`);
  };

  it('is served at /, every control is labelled, the platforms come from the API', async () => {
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, '/ui/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    for (const id of ['api-key', 'account', 'password', 'ticket', 'platform', 'server', 'history-account', 'diagnostic-id']) {
      assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `#${id} has a label`);
    }
    assert.equal((await page.textContent('#checks-fieldset legend'))!.trim(), 'Checks');
    assert.equal(await page.locator('#check-boxes label input[type="checkbox"]:checked').count(), CHECK_IDS.length, 'all checks ticked by default');
    assert.equal(await page.getAttribute('#announce', 'aria-live'), 'polite');
    assert.equal(await page.getAttribute('#error', 'role'), 'alert');
    assert.match(await page.textContent('#platform-hint') ?? '', /Enter the API key/);
    await shot('empty');

    await page.fill('#api-key', svc.apiKey);
    await page.press('#api-key', 'Tab');
    await page.waitForSelector('#platform option[value="lab"]', { state: 'attached' });
    const options = await page.$$eval('#platform option', (os) => os.map((o) => o.getAttribute('value')));
    assert.deepEqual(options, ['lab', 'lab-incident'], 'only the platforms this key may use, in configuration order');
    assert.equal(await page.inputValue('#platform'), 'lab-incident', 'the deployment default is preselected');
    assert.equal(await page.textContent('#platform option[value="lab"]'), 'lab — Exchange lab (loopback)');
    assert.match(await page.textContent('#platform-hint') ?? '', /Server ex\.lab\.test · MX mx1\.lab\.test, mx2\.lab\.test/);
    assert.equal(await page.getAttribute('#server', 'placeholder'), 'ex.lab.test');
    assert.deepEqual(problems, []);
  });

  it('runs a healthy diagnostic with the platform, server, checks and ticket chosen; copies Markdown', async () => {
    const healthy = mailbox('healthy@healthy.test');
    await page.selectOption('#platform', 'lab');
    await page.fill('#server', 'ex.lab.test');
    await page.fill('#ticket', TICKET);
    await fillRun(healthy.address, healthy.password, SUBSET);
    await shot('run-form-filled');
    await page.click('#run');
    await page.waitForSelector('#checks li[data-check="imap"]');
    await page.waitForSelector('#progress-h:focus');
    await page.waitForSelector('#verdict[data-verdict]', { timeout: 90000 });
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'healthy');
    assert.match(await page.textContent('#verdict') ?? '', /Verdict: Healthy/);
    const rows = await page.$$eval('#checks li', (lis) => lis.map((li) => ({
      id: li.getAttribute('data-check'), status: li.getAttribute('data-status'), text: li.textContent,
    })));
    assert.deepEqual(rows.map((r) => r.id), [...SUBSET], 'only the chosen checks, in check order');
    for (const r of rows) assert.ok(['pass', 'skipped'].includes(r.status!), `${r.id} is ${r.status}`);
    assert.match(rows.find((r) => r.id === 'imap')!.text!, /IMAP sign-in.*OK/);
    const meta = await page.$$eval('#current-meta dt', (dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
    assert.deepEqual(meta, [['Mailbox', healthy.address], ['Platform', 'lab'], ['Server', 'ex.lab.test'], ['Ticket', TICKET]]);
    assert.equal(await page.isHidden('#cancel'), true, 'no cancel once finished');
    // What the page sent is what the service recorded.
    const id = (await page.textContent('#current-id'))!;
    const record = (await svc.request.get(`/v1/diagnostics/${id}`).set(svc.auth)).body;
    assert.equal(record.platform, 'lab');
    assert.equal(record.server, 'ex.lab.test');
    assert.deepEqual(record.checks, [...SUBSET]);
    assert.deepEqual(record.metadata, { ticket: TICKET });
    assert.equal(await page.inputValue('#password'), '', 'the password field is cleared');
    const stored = await page.evaluate<string>("Object.values(sessionStorage).join(' ')");
    assert.ok(!stored.includes(healthy.password), 'the password is not kept in the page');
    assert.deepEqual(urls.filter((u) => u.includes(svc.apiKey) || u.includes(healthy.password)), [], 'neither the key nor the password is ever in a URL');

    await page.waitForSelector('#report article.exdiag-report');
    const report = await page.textContent('#report') ?? '';
    assert.match(report, /Mailbox diagnostic: healthy@healthy\.test/);
    assert.match(report, /Verdict: Healthy/);
    assert.match(report, /No problem found\./);
    assert.ok(report.includes(TICKET), 'the ticket reference is in the report');
    // Passed checks show their one-line result; their evidence is one click away.
    assert.equal(await page.isVisible('#report tr[data-check="mx"] .msg'), true);
    assert.equal(await page.isVisible('#report tr[data-check="mx"] ul.evidence'), false);
    await page.click('#evidence-toggle');
    assert.equal(await page.getAttribute('#evidence-toggle', 'aria-pressed'), 'true');
    assert.equal(await page.isVisible('#report tr[data-check="mx"] ul.evidence'), true);
    assert.ok((await page.textContent('#announce'))!.length > 0, 'the live region announced progress');
    await shot('healthy-report');

    await page.click('#copy');
    // (Selectors, not waitForFunction: the page's CSP rightly forbids string evaluation.)
    await page.waitForSelector('#copy-status:not(:empty)');
    assert.equal(await page.textContent('#copy-status'), 'Report copied to the clipboard.');
    const clip = await page.evaluate<string>('navigator.clipboard.readText()');
    assert.match(clip, /^## Mailbox diagnostic: healthy@healthy\.test/);
    assert.match(clip, /\*\*Verdict: Healthy\*\*/);
    assert.deepEqual(problems, []);
  });

  it('shows the webhook deliveries of the run, and re-sends the webhook', async () => {
    const id = (await page.textContent('#current-id'))!;
    await page.waitForSelector('#deliveries tbody tr[data-trigger="event"][data-outcome="delivered"]', { timeout: 30000 });
    const first = hits.filter((h) => h.diagnosticId === id);
    assert.equal(first.length, 1, 'the receiver got the webhook once');
    assert.equal(first[0].type, 'diagnostic.completed');
    assert.equal(first[0].ticket, TICKET, 'the ticket travels with the webhook');
    assert.ok(first[0].signed, 'signed with the client\'s secret');
    assert.match(await page.textContent('#deliveries tbody') ?? '', /diagnostic\.completed.*end of the diagnostic.*delivered.*200/);
    await shot('deliveries');

    await page.click('#resend');
    await page.waitForSelector('#deliveries-status:has-text("Queued for delivery to http://127.0.0.1:")');
    await page.waitForSelector('#deliveries tbody tr[data-trigger="resend"][data-outcome="delivered"]', { timeout: 30000 });
    const all = hits.filter((h) => h.diagnosticId === id);
    assert.equal(all.length, 2, 'the re-send reached the receiver');
    assert.ok(all[1].signed);
    assert.equal(await page.locator('#deliveries tbody tr').count(), 2);
    await shot('deliveries-resent');
    assert.deepEqual(problems, []);
  });

  it('lists the history of the mailbox, newest first, with its tickets, and opens a diagnostic from it', async () => {
    const id = (await page.textContent('#current-id'))!;
    // A later diagnostic of the mailbox, started by another tool of the same client.
    const later = await svc.request.post('/v1/diagnostics').set(svc.auth)
      .send({ account: 'healthy@healthy.test', password: mailbox('healthy@healthy.test').password, platform: 'lab', checks: ['mx'], metadata: { ticket: 'TCK-4712' } });
    assert.equal(later.status, 202);
    await svc.waitFor(later.body.id, 'completed', 30000);
    // A fresh page (the key stays in this tab): the agent asks for the mailbox's history.
    await page.goto(`${base}/ui/`);
    await page.fill('#history-account', 'healthy@healthy.test');
    await page.click('#history-form button[type="submit"]');
    await page.waitForSelector(`#history tbody tr[data-id="${id}"]`);
    assert.deepEqual(await page.$$eval('#history tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-id'))), [later.body.id, id], 'newest first');
    const row = page.locator(`#history tbody tr[data-id="${id}"]`);
    assert.match(await row.textContent() ?? '', new RegExp(`completed.*Healthy.*${TICKET}`));
    assert.match(await page.textContent(`#history tbody tr[data-id="${later.body.id}"]`) ?? '', /TCK-4712/);
    assert.equal(await page.textContent('#history-status'), '2 diagnostics shown.');
    assert.match(await page.textContent('#history caption') ?? '', /Diagnostics of healthy@healthy\.test/);
    await shot('history');
    await row.locator('button').click();
    await page.waitForSelector('#report article.exdiag-report');
    assert.equal(await page.textContent('#current-id'), id);
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'healthy');
    assert.deepEqual(problems, []);
  });

  it('in French, a wrong password shows AUTH_FAILED with its fix; the printed page is the report alone', async () => {
    await page.click('button[data-lang="fr"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assert.equal((await page.textContent('#run'))!.trim(), 'Lancer le diagnostic');
    assert.equal((await page.textContent('#checks-all'))!.trim(), 'Tout cocher');
    assert.equal(await page.textContent('#check-boxes input[value="imap"] + span'), 'Connexion IMAP');
    await page.selectOption('#platform', 'lab');
    await fillRun('wrongpw@healthy.test', 'definitely-not-the-password');
    await page.click('#run');
    await page.waitForSelector('#verdict[data-verdict="failing"]', { timeout: 90000 });
    assert.match(await page.textContent('#verdict') ?? '', /Verdict: Ne fonctionne pas — AUTH_FAILED/);
    const imap = page.locator('#checks li[data-check="imap"]');
    assert.equal(await imap.getAttribute('data-status'), 'fail');
    assert.equal(await imap.getAttribute('data-code'), 'AUTH_FAILED');
    assert.match(await imap.textContent() ?? '', /Connexion IMAP.*Échec.*AUTH_FAILED/);
    await page.waitForSelector('#report article.exdiag-report[lang="fr"]');
    const report = await page.textContent('#report') ?? '';
    assert.match(report, /Cause principale/);
    assert.ok(report.includes(remediationFor('AUTH_FAILED', 'fr').title), 'the fix title');
    assert.ok(report.includes(remediationFor('AUTH_FAILED', 'fr').text), 'the fix text');
    assert.ok(!report.includes('definitely-not-the-password'));
    await shot('fr-auth-failed');

    await page.emulateMedia({ media: 'print' });
    try {
      for (const sel of ['header', '#run-form', '#history-form', '#open-form', '#progress', '#deliveries-section', '#copy', '#print']) {
        assert.equal(await page.isVisible(sel), false, `${sel} is not printed`);
      }
      assert.equal(await page.locator('main button:visible, main input:visible, main select:visible').count(), 0, 'no button or field is printed');
      for (const sel of ['#report .verdict', '#report .cause', '#report table', '#report tr[data-check="imap"] ul.evidence']) {
        assert.equal(await page.locator(sel).first().isVisible(), true, `${sel} is printed`);
      }
      // Evidence summary: the failed check keeps its evidence, passed ones keep their one-line result.
      assert.equal(await page.isVisible('#report tr[data-check="mx"] ul.evidence'), false);
      assert.equal(await page.isVisible('#report tr[data-check="mx"] .msg'), true);
      await shot('fr-print');
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
    assert.deepEqual(problems, []);
  });

  it('a 409 offers the running diagnostic instead of an error; the agent opens it and cancels it', async () => {
    const dropped = mailbox('user@dropped.test');
    await page.goto(`${base}/ui/`);
    await page.click('button[data-lang="en"]');
    // dropped.test's MX accepts the test message and drops it: `receive` waits (RECEIVE_TIMEOUT_MS).
    await page.selectOption('#platform', 'lab');
    await fillRun(dropped.address, dropped.password, ['mx', 'imap', 'receive']);
    await page.click('#run');
    await page.waitForSelector('#checks li[data-check="receive"][data-status="running"]', { timeout: 30000 });
    const running = (await page.textContent('#current-id'))!;
    await page.waitForSelector('#checks li[data-check="receive"] .state:has-text(" s")');
    assert.match(await page.textContent('#checks li[data-check="receive"] .state') ?? '', /^Checking… \d+ s$/, 'a running check shows how long it has been running');
    await shot('running');

    // Another agent (a fresh page) runs the same mailbox.
    await page.goto(`${base}/ui/`);
    await page.selectOption('#platform', 'lab');
    await fillRun(dropped.address, dropped.password, ['mx', 'imap', 'receive']);
    await page.click('#run');
    await page.waitForSelector('#conflict:visible');
    expectFailedRequest(409, /\/v1\/diagnostics$/);
    assert.equal(await page.textContent('#conflict-text'), 'A diagnostic of user@dropped.test is already running.');
    assert.equal(await page.isHidden('#error'), true, 'no error is shown');
    await page.waitForSelector('#conflict-open:focus');
    assert.equal(await page.inputValue('#password'), '', 'the password is not kept');
    await shot('conflict-409');

    await page.click('#conflict-open');
    await page.waitForSelector('#checks li[data-check="receive"][data-status="running"]');
    assert.equal(await page.textContent('#current-id'), running, 'the running diagnostic is open');
    assert.equal(await page.isHidden('#conflict'), true);
    assert.equal(await page.isVisible('#cancel'), true);
    await page.click('#cancel');
    await page.waitForSelector('#checks li[data-check="receive"][data-status="stopped"]', { timeout: 30000 });
    assert.equal(await page.textContent('#run-status'), 'cancelled');
    assert.equal(await page.isHidden('#cancel'), true);
    assert.equal((await svc.request.get(`/v1/diagnostics/${running}`).set(svc.auth)).body.status, 'cancelled');
    await page.waitForSelector('#report article.exdiag-report');
    await page.waitForSelector(`#history tbody tr[data-id="${running}"][data-status="cancelled"]`);
    await shot('cancelled');
    assert.deepEqual(problems, []);
  });

  it('opens an existing diagnostic by id', async () => {
    const id = await page.textContent('#current-id');
    await page.goto(`${base}/ui/`);
    await page.fill('#diagnostic-id', id!);
    await page.click('#open-form button[type="submit"]');
    await page.waitForSelector('#report article.exdiag-report');
    assert.equal(await page.textContent('#run-status'), 'cancelled');
    assert.deepEqual(problems, []);
  });
});
