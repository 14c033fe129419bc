// The API's access log (src/api/access-log.ts): one "request completed" line per request at info,
// of known-safe fields only (the request line, route, status, time, request id, client id, the
// diagnostic created), never a header or body; nothing at warn; fastify's "incoming request" line
// comes back at debug. Real Redis, real HTTP (supertest over the app's server).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startService, type Service } from '../helpers/service.js';

const PASSWORD = 'Access-Log-Pa55word!';
const body = (account: string) => ({ account, password: PASSWORD, checks: ['mx'], metadata: { ticket: 'T-1' } });
const parsed = (s: Service) => s.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('access log', () => {
  const services: Service[] = [];
  after(async () => { for (const s of services) await s.close(); });
  const start = async (level: string) => {
    const s = await startService({ LOG_LEVEL: level }, { worker: false });
    services.push(s);
    return s;
  };

  test('info: one line per request with the known fields; no header, body or key', async () => {
    const s = await start('info');
    const before = s.logs.length;
    const ok = await s.request.post('/v1/diagnostics?src=test').set(s.auth).set('idempotency-key', 'idem-secret-1').send(body('access1@healthy.test'));
    assert.equal(ok.status, 202);
    const bad = await s.request.get('/v1/diagnostics/00000000-0000-4000-8000-000000000000').set({ authorization: 'Bearer not-a-key' });
    assert.equal(bad.status, 401);
    const lines = parsed(s).slice(before);
    assert.equal(lines.length, 2, `one line per request: ${s.logs.slice(before).join('')}`);
    const [created, refused] = lines;
    assert.equal(created.msg, 'request completed');
    assert.equal(created.level, 30);
    assert.deepEqual(created.req, { method: 'POST', url: '/v1/diagnostics?src=test', host: (created.req as { host: string }).host, remoteAddress: (created.req as { remoteAddress: string }).remoteAddress, remotePort: (created.req as { remotePort: number }).remotePort });
    assert.match(String((created.req as { remoteAddress: string }).remoteAddress), /^(::ffff:)?127\./);
    assert.deepEqual([created.route, created.res, created.clientId, created.diagnosticId], ['/v1/diagnostics', { statusCode: 202 }, 'alpha', ok.body.id]);
    assert.equal(typeof created.responseTime, 'number');
    assert.equal(typeof created.reqId, 'string');
    assert.equal(created.service, 'exchange-diagnostics', 'the logger\'s base bindings are kept');
    assert.ok(typeof created.time === 'string' && !Number.isNaN(Date.parse(created.time)), 'ISO time, as the other lines');
    assert.deepEqual([refused.route, refused.res, refused.clientId, refused.diagnosticId], ['/v1/diagnostics/:id', { statusCode: 401 }, undefined, undefined]);
    assert.notEqual(refused.reqId, created.reqId);
    const text = s.logs.slice(before).join('');
    for (const secret of [PASSWORD, s.apiKey, 'not-a-key', 'idem-secret-1', 'T-1', 'access1@healthy.test']) assert.ok(!text.includes(secret), `the access line holds ${secret}`);
  });

  test('warn: no access line', async () => {
    const s = await start('warn');
    assert.equal((await s.request.post('/v1/diagnostics').set(s.auth).send(body('access2@healthy.test'))).status, 202);
    assert.equal(s.logs.length, 0, s.logs.join(''));
  });

  test('debug: the incoming line too, then the access line', async () => {
    const s = await start('debug');
    const before = s.logs.length;
    assert.equal((await s.request.post('/v1/diagnostics').set(s.auth).send(body('access3@healthy.test'))).status, 202);
    const lines = parsed(s).slice(before).filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
    assert.deepEqual(lines.map((l) => [l.msg, l.level]), [['incoming request', 20], ['request completed', 30]]);
    assert.equal(lines[0].reqId, lines[1].reqId);
    assert.ok(!s.logs.join('').includes(PASSWORD));
  });
});
