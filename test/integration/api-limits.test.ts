// The per-diagnostic routes (events, report, deliveries) validate against the contract like the
// diagnostics routes; event streams are capped per client (429 TOO_MANY_STREAMS) and end when the
// app closes, so a SIGTERM never waits on a listener. Real app, real Redis, a real socket.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request, type Dispatcher } from 'undici';
import { startService, type Service } from '../helpers/service.js';

const NO_SUCH = '00000000-0000-4000-8000-000000000000';

describe('per-diagnostic routes', () => {
  let svc: Service;
  let base: string;
  let queued: string;

  before(async () => {
    // No worker: diagnostics stay queued, so their event streams stay open.
    svc = await startService({ SSE_MAX_PER_CLIENT: '2', DNS_SERVERS: '127.0.0.1:9' }, { worker: false });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    const created = await svc.request.post('/v1/diagnostics').set(svc.auth).send({ account: 'sse@example.test', password: 'Sse-pw-1', checks: ['mx'] });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    queued = created.body.id;
  });
  after(() => svc?.close());

  const open = (id: string, auth = svc.auth) => request(`${base}/v1/diagnostics/${id}/events`, { headers: auth });
  const problem = async (res: Dispatcher.ResponseData) => {
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    return (await res.body.json()) as { code: string; errors?: Array<{ field: string }> };
  };

  it('check ids, query strings, headers and bodies against the contract', async () => {
    for (const path of ['events', 'report', 'deliveries']) {
      const res = await svc.request.get(`/v1/diagnostics/not-a-uuid/${path}`).set(svc.auth);
      assert.equal(res.status, 400, path);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field), ['params.id']);
    }
    const post = await svc.request.post('/v1/diagnostics/not-a-uuid/deliveries').set(svc.auth);
    assert.equal(post.status, 400);
    assert.equal((await svc.request.get(`/v1/diagnostics/${queued}/report?format=pdf`).set(svc.auth)).body.code, 'VALIDATION_FAILED');
    assert.equal((await svc.request.get(`/v1/diagnostics/${queued}/report?color=red`).set(svc.auth)).status, 400);
    assert.equal((await svc.request.get(`/v1/diagnostics/${queued}/events?lastEventId=${'1'.repeat(65)}`).set(svc.auth)).status, 400);
    assert.equal((await svc.request.get(`/v1/diagnostics/${queued}/events`).set(svc.auth).set('last-event-id', '9'.repeat(65))).status, 400);
    // The re-send takes no options: none at all, or an empty object.
    const extra = await svc.request.post(`/v1/diagnostics/${queued}/deliveries`).set(svc.auth).send({ url: 'https://elsewhere.example' });
    assert.equal(extra.status, 400);
    assert.deepEqual(extra.body.errors.map((e: { field: string }) => e.field), ['body.url']);
    assert.equal((await svc.request.post(`/v1/diagnostics/${queued}/deliveries`).set(svc.auth).send({})).body.code, 'DIAGNOSTIC_NOT_FINISHED');
    assert.equal((await svc.request.post(`/v1/diagnostics/${queued}/deliveries`).set(svc.auth)).body.code, 'DIAGNOSTIC_NOT_FINISHED');
    assert.equal((await svc.request.post(`/v1/diagnostics/${queued}/deliveries`).set(svc.auth).set('content-type', 'text/plain').send('x')).status, 415);
    // Valid ids still answer as before.
    assert.equal((await svc.request.get(`/v1/diagnostics/${NO_SUCH}/report`).set(svc.auth)).body.code, 'DIAGNOSTIC_NOT_FOUND');
    assert.equal((await svc.request.get(`/v1/diagnostics/${queued}/report?format=text&fragment=false`).set(svc.auth)).status, 200);
  });

  it('caps open event streams per client with 429 TOO_MANY_STREAMS; a closed one frees its place', async () => {
    const first = await open(queued);
    const second = await open(queued);
    assert.deepEqual([first.statusCode, second.statusCode], [200, 200]);
    const third = await open(queued);
    assert.equal(third.statusCode, 429);
    assert.equal((await problem(third)).code, 'TOO_MANY_STREAMS');
    // Another client is not affected (and gets the same 404 as for a missing diagnostic).
    const other = await open(queued, svc.otherAuth);
    assert.equal(other.statusCode, 404);
    assert.equal((await problem(other)).code, 'DIAGNOSTIC_NOT_FOUND');
    // Refused requests and 404s hold no place.
    const stillFull = await open(NO_SUCH);
    assert.equal(stillFull.statusCode, 429);
    await stillFull.body.dump();

    first.body.destroy();
    let again: Dispatcher.ResponseData | undefined;
    // The server notices the closed socket a moment later: retry until it has, without sleeping blind.
    for (const until = Date.now() + 5000; Date.now() < until;) {
      again = await open(queued);
      if (again.statusCode === 200) break;
      await again.body.dump();
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(again?.statusCode, 200, 'a place is free again');
    second.body.destroy();
    again!.body.destroy();
  });

  it('closing the app ends open streams at once instead of waiting for them', async () => {
    // Wait until the earlier streams' places are free, then hold two open ones.
    let streams: Dispatcher.ResponseData[] = [];
    for (const until = Date.now() + 5000; Date.now() < until;) {
      streams = await Promise.all([open(queued), open(queued)]);
      if (streams.every((s) => s.statusCode === 200)) break;
      for (const s of streams) s.statusCode === 200 ? s.body.destroy() : await s.body.dump();
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(streams.map((s) => s.statusCode), [200, 200]);
    const ended = streams.map(async (s) => { for await (const _chunk of s.body) { /* drain until the server ends it */ } });
    const t0 = Date.now();
    const stuck = new Promise((_r, reject) => setTimeout(() => reject(new Error('app.close() waits for the open streams')), 5000).unref());
    await Promise.race([Promise.all([svc.app.close(), ...ended]), stuck]);
    const ms = Date.now() - t0;
    // The heartbeat is 15 s and a run's deadline minutes: anything near those means it waited.
    assert.ok(ms < 3000, `app.close() took ${ms} ms`);
  });
});
