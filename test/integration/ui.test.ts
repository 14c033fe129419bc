// The support page in a real headless Chromium against the service and the lab: run a healthy
// diagnostic and watch it, copy the report; then a wrong password, in French, shows AUTH_FAILED
// and its fix.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { remediationFor } from '../../src/diagnostics/remediation.js';
import { CHECK_IDS } from '../../src/diagnostics/types.js';
import { mailbox } from '../lab/scenarios.js';
import { startService, type Service } from '../helpers/service.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('support page', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/ui.test.ts' }, () => {
  let svc: Service;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const problems: string[] = [];

  before(async () => {
    svc = await startService();
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ locale: 'en-US' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    // CSP violations, script errors and failed requests all surface here.
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  });

  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('is served at / and is labelled and accessible', async () => {
    await page.goto(`${base}/`);
    assert.equal(new URL(page.url()).pathname, '/ui/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    for (const id of ['api-key', 'account', 'password', 'diagnostic-id']) {
      assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `#${id} has a label`);
    }
    assert.equal(await page.getAttribute('#announce', 'aria-live'), 'polite');
    assert.equal(await page.getAttribute('#error', 'role'), 'alert');
    assert.deepEqual(problems, []);
  });

  it('runs a healthy diagnostic, shows every check turning green, the verdict and the report; copies Markdown', async () => {
    const healthy = mailbox('healthy@healthy.test');
    await page.fill('#api-key', svc.apiKey);
    await page.fill('#account', healthy.address);
    await page.fill('#password', healthy.password);
    await page.click('#run');
    // Rows appear as soon as the diagnostic exists, then update live.
    await page.waitForSelector('#checks li[data-check="imap"]');
    await page.waitForSelector('#verdict[data-verdict]', { timeout: 90000 });
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'healthy');
    assert.match(await page.textContent('#verdict') ?? '', /Verdict: Healthy/);
    const rows = await page.$$eval('#checks li', (lis) => lis.map((li) => ({
      id: li.getAttribute('data-check'), status: li.getAttribute('data-status'), text: li.textContent,
    })));
    assert.deepEqual(rows.map((r) => r.id), [...CHECK_IDS]);
    for (const r of rows) assert.ok(['pass', 'skipped'].includes(r.status!), `${r.id} is ${r.status}`);
    assert.match(rows.find((r) => r.id === 'imap')!.text!, /IMAP sign-in.*OK/);
    assert.equal(await page.inputValue('#password'), '', 'the password field is cleared');
    const stored = await page.evaluate<string>("Object.values(sessionStorage).join(' ')");
    assert.ok(!stored.includes(healthy.password), 'the password is not kept in the page');

    await page.waitForSelector('#report article.exdiag-report');
    const report = await page.textContent('#report') ?? '';
    assert.match(report, /Mailbox diagnostic: healthy@healthy\.test/);
    assert.match(report, /Verdict: Healthy/);
    assert.match(report, /No problem found\./);
    assert.ok((await page.textContent('#announce'))!.length > 0, 'the live region announced progress');

    await page.click('#copy');
    // (Selectors, not waitForFunction: the page's CSP rightly forbids string evaluation.)
    await page.waitForSelector('#copy-status:not(:empty)');
    assert.equal(await page.textContent('#copy-status'), 'Report copied to the clipboard.');
    const clip = await page.evaluate<string>('navigator.clipboard.readText()');
    assert.match(clip, /^## Mailbox diagnostic: healthy@healthy\.test/);
    assert.match(clip, /\*\*Verdict: Healthy\*\*/);
    assert.deepEqual(problems, []);
  });

  it('in French, a wrong password shows AUTH_FAILED on IMAP with its fix', async () => {
    await page.click('button[data-lang="fr"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assert.equal((await page.textContent('#run'))!.trim(), 'Lancer le diagnostic');
    await page.fill('#account', 'wrongpw@healthy.test');
    await page.fill('#password', 'definitely-not-the-password');
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
    assert.deepEqual(problems, []);
  });

  it('opens an existing diagnostic by id', async () => {
    const id = await page.textContent('#current-id');
    await page.goto(`${base}/ui/`);
    await page.fill('#diagnostic-id', id!);
    await page.click('#open-form button[type="submit"]');
    await page.waitForSelector('#report article.exdiag-report');
    assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'failing');
    assert.deepEqual(problems, []);
  });
});
