// Live progress over SSE: one API instance serves the stream while another instance accepts the
// diagnostic and a worker in a separate process runs it — they share nothing but Redis.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import supertest from 'supertest';
import { request } from 'undici';
import { buildApp } from '../../src/app.js';
import { mailbox } from '../lab/scenarios.js';
import { startService, type Service } from '../helpers/service.js';

interface SseEvent { id?: string; event: string; data: unknown; at: number }

/** Reads an SSE response until the server closes it (or `stopAfter` events). */
async function readSse(url: string, headers: Record<string, string>, opts: { stopAfter?: number; signal?: AbortSignal } = {}) {
  const res = await request(url, { headers: { accept: 'text/event-stream', ...headers }, signal: opts.signal });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/event-stream/);
  const events: SseEvent[] = [];
  let comments = 0;
  let buf = '';
  for await (const chunk of res.body) {
    buf += chunk.toString('utf8');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const ev: SseEvent = { event: 'message', data: undefined, at: Date.now() };
      let data = '';
      let any = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { comments++; continue; }
        const i = line.indexOf(':');
        const [f, v] = [line.slice(0, i), line.slice(i + 1).replace(/^ /, '')];
        if (f === 'id') { ev.id = v; any = true; } else if (f === 'event') { ev.event = v; any = true; } else if (f === 'data') { data += v; any = true; }
      }
      if (!any) continue;
      ev.data = data ? JSON.parse(data) : undefined;
      events.push(ev);
      if (opts.stopAfter && events.length >= opts.stopAfter) {
        res.body.destroy();
        return { events, comments };
      }
    }
  }
  return { events, comments };
}

describe('GET /v1/diagnostics/{id}/events', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/events.test.ts' }, () => {
  let svc: Service;
  let other: FastifyInstance;
  let base: string;
  let worker: ChildProcess | undefined;
  let id: string;
  let live: { events: SseEvent[]; comments: number };
  const healthy = mailbox('healthy@healthy.test');
  const checks = ['mx', 'srv', 'imap'];

  before(async () => {
    // Instance A: serves the SSE stream (listening for real: streaming needs a socket). No worker.
    svc = await startService({ PROVIDER: 'none' }, { worker: false });
    await svc.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}`;
    // Instance B: accepts the diagnostic.
    other = await buildApp({ config: svc.config, logger: pino({ level: 'silent' }) });
    await other.ready();
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    await other?.close();
    await svc?.close();
  });

  it('streams live events produced by a worker process, in order, until diagnostic.finished', async () => {
    const created = await supertest(other.server).post('/v1/diagnostics').set(svc.auth)
      .send({ account: healthy.address, password: healthy.password, checks });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    id = created.body.id;
    // Subscribe while the diagnostic is still queued (no worker yet): every event must arrive live.
    const reading = readSse(`${base}/v1/diagnostics/${id}/events`, svc.auth);
    const t0 = Date.now();
    worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      env: { ...svc.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    live = await reading;
    const types = live.events.map((e) => e.event);
    assert.equal(types.at(-1), 'diagnostic.finished');
    for (const c of checks) {
      const started = live.events.findIndex((e) => e.event === 'check.started' && (e.data as { check: string }).check === c);
      const finished = live.events.findIndex((e) => e.event === 'check.finished' && JSON.stringify(e.data).includes(`"${c}"`));
      assert.ok(started >= 0 && finished > started, `${c}: started then finished (${types.join(',')})`);
    }
    assert.ok(live.events.every((e) => e.at >= t0), 'nothing before the worker started');
    const ids = live.events.map((e) => e.id!);
    assert.ok(ids.every((x) => /^\d+-\d+$/.test(x)), 'ids are stream entry ids');
    assert.deepEqual([...ids].sort((a, b) => (a === b ? 0 : cmpId(a, b))), ids, 'in stream order');
    const fin = live.events.at(-1)!.data as { status: string; verdict: string };
    assert.equal(fin.status, 'completed');
    assert.equal(fin.verdict, 'healthy');
    assert.ok(!JSON.stringify(live.events).includes(healthy.password));
  });

  it('replays the whole stream for a finished diagnostic and closes', async () => {
    const replay = await readSse(`${base}/v1/diagnostics/${id}/events`, svc.auth);
    assert.deepEqual(replay.events.map((e) => [e.id, e.event]), live.events.map((e) => [e.id, e.event]));
  });

  it('resumes after Last-Event-ID', async () => {
    const from = live.events[1].id!;
    const rest = await readSse(`${base}/v1/diagnostics/${id}/events`, { ...svc.auth, 'last-event-id': from });
    assert.deepEqual(rest.events.map((e) => e.id), live.events.slice(2).map((e) => e.id));
    assert.equal(rest.events.at(-1)!.event, 'diagnostic.finished');
  });

  it('is private to its client', async () => {
    assert.equal((await request(`${base}/v1/diagnostics/${id}/events`, { headers: svc.otherAuth })).statusCode, 404);
    assert.equal((await request(`${base}/v1/diagnostics/${id}/events`)).statusCode, 401);
  });

  it('closes its dedicated Redis connection when the client goes away', async () => {
    const sseConnections = async () => (await svc.redis.client('LIST') as string).split('\n').filter((l) => l.includes('name=exdiag-sse')).length;
    // Stop the worker first so the new diagnostic stays queued and its stream open.
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    }
    const created = await supertest(other.server).post('/v1/diagnostics').set(svc.auth)
      .send({ account: healthy.address, password: healthy.password, checks: ['mx'] });
    assert.equal(created.status, 202);
    const ac = new AbortController();
    const res = await request(`${base}/v1/diagnostics/${created.body.id}/events`, { headers: svc.auth, signal: ac.signal });
    assert.equal(res.statusCode, 200);
    // Headers go out first; the stream's own connection follows within moments.
    let before = 0;
    for (const until = Date.now() + 5000; Date.now() < until && (before = await sseConnections()) < 1;) await new Promise((r) => setTimeout(r, 50));
    assert.ok(before >= 1, 'one blocking connection while the client listens');
    ac.abort();
    res.body.destroy();
    const deadline = Date.now() + 5000;
    let now = before;
    while (Date.now() < deadline && (now = await sseConnections()) >= before) await new Promise((r) => setTimeout(r, 50));
    assert.equal(now, before - 1, 'connection closed');
    await supertest(other.server).delete(`/v1/diagnostics/${created.body.id}`).set(svc.auth);
  });
});

function cmpId(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am === bm ? (as < bs ? -1 : 1) : am < bm ? -1 : 1;
}
