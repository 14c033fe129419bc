// The report route on a real diagnostic (lab): formats by Accept or ?format, locale by ?locale,
// the record's locale or Accept-Language, ownership, and the root cause with its fix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { remediationFor } from '../../src/diagnostics/remediation.js';
import { mailbox } from '../lab/scenarios.js';
import { startService, type Service } from '../helpers/service.js';

describe('GET /v1/diagnostics/{id}/report', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/report.test.ts' }, () => {
  let svc: Service;
  let id: string;

  before(async () => {
    svc = await startService({ PROVIDER: 'none' });
    const created = await svc.request.post('/v1/diagnostics').set(svc.auth).set('accept-language', 'fr-FR,fr;q=0.9')
      .send({ account: 'wrongpw@healthy.test', password: `${mailbox('wrongpw@healthy.test').password}-wrong`, checks: ['mx', 'imap', 'send'], metadata: { ticket: 'TCK-9001' } });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    id = created.body.id;
    await svc.waitFor(id, 'completed');
  });
  after(async () => { await svc?.close(); });

  const get = (q = '', headers: Record<string, string> = {}) => svc.request.get(`/v1/diagnostics/${id}/report${q}`).set(svc.auth).set(headers).buffer(true).parse((res, cb) => {
    let s = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => { s += c; });
    res.on('end', () => cb(null, s));
  });

  it('answers Markdown by default, in the record locale (from Accept-Language at creation)', async () => {
    const r = await get();
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/markdown/);
    assert.equal(r.headers['content-language'], 'fr');
    const md = r.body as string;
    assert.ok(md.indexOf('TCK-9001') < md.indexOf('### Cause principale'), 'ticket at the top');
    assert.match(md, /\*\*AUTH_FAILED\*\*/);
    assert.ok(md.includes(remediationFor('AUTH_FAILED', 'fr').title));
    assert.match(md, /Connexion IMAP/);
    assert.match(md, /Non effectuée car: Connexion IMAP \(AUTH\\_FAILED\)/);
  });

  it('negotiates HTML and text by Accept and honours ?format and ?locale', async () => {
    const html = await get('?locale=en', { accept: 'text/html' });
    assert.match(html.headers['content-type'], /^text\/html/);
    assert.match(html.headers['content-security-policy'], /default-src 'none'/);
    assert.match(html.body, /<html lang="en">/);
    assert.match(html.body, /<tr data-check="imap" data-status="fail">/);
    assert.ok(html.body.includes(remediationFor('AUTH_FAILED', 'en').title));

    const text = await get('', { accept: 'text/plain;q=0.9, text/html;q=0.1' });
    assert.match(text.headers['content-type'], /^text\/plain/);
    assert.match(text.body, /\[FAIL\] Connexion IMAP — AUTH_FAILED/);

    const forced = await get('?format=text&locale=en', { accept: 'text/html' });
    assert.match(forced.headers['content-type'], /^text\/plain/);
    assert.match(forced.body, /Root cause: AUTH_FAILED/);

    const frag = await get('?format=html&fragment=true&locale=en');
    assert.match(frag.body, /^<article class="exdiag-report"/);
  });

  it('refuses formats it cannot produce and bad parameters with problem+json', async () => {
    const r = await svc.request.get(`/v1/diagnostics/${id}/report`).set(svc.auth).set('accept', 'application/json');
    assert.equal(r.status, 406);
    assert.match(r.headers['content-type'], /application\/problem\+json/);
    assert.equal(r.body.code, 'NOT_ACCEPTABLE');
    const bad = await svc.request.get(`/v1/diagnostics/${id}/report?format=pdf`).set(svc.auth);
    assert.equal(bad.status, 400);
  });

  it('is private to its client', async () => {
    assert.equal((await svc.request.get(`/v1/diagnostics/${id}/report`).set(svc.otherAuth)).status, 404);
    assert.equal((await svc.request.get(`/v1/diagnostics/${id}/report`)).status, 401);
    assert.equal((await svc.request.get('/v1/diagnostics/00000000-0000-4000-8000-000000000000/report').set(svc.auth)).status, 404);
    assert.equal((await svc.request.get('/v1/diagnostics/nope/report').set(svc.auth)).status, 400, 'not a diagnostic id');
  });

  it('never shows the password', async () => {
    const pw = `${mailbox('wrongpw@healthy.test').password}-wrong`;
    for (const f of ['markdown', 'html', 'text']) assert.ok(!(await get(`?format=${f}`)).body.includes(pw));
  });
});
