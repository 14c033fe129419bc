// Pacing in a real worker (src/worker/pacing.ts, WORKER_ACTIVE_MAX): 40 full diagnostics of
// greylisted bulk mailboxes posted at once through the API, one worker that holds all 40 jobs
// (WORKER_CONCURRENCY=40) but lets only 4 runs be in their active part at once. Every run must end
// healthy; the queue wait shows in the record (progress.queuedBehind) and does not count against
// the run's deadline or its checks' timeouts (startedAt is when the run got its slot).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { CHECK_IDS } from '../../src/diagnostics/types.js';
import { bulkAddress, findBulkMailbox } from '../lab/bulk.js';
import { startService, type Service } from '../helpers/service.js';

const N = 40;
const ACTIVE = 4;

describe('WORKER_ACTIVE_MAX paces the active part of the runs', { skip: process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/pacing.test.ts' }, () => {
  let s: Service;
  before(async () => {
    s = await startService({
      PROVIDER: 'ovhcloud', DEFAULT_PLATFORM: 'lab', WORKER_CONCURRENCY: String(N), WORKER_ACTIVE_MAX: String(ACTIVE),
      THROTTLE_MAX: '0', THROTTLE_ACCOUNT_MAX: '0', CLIENT_RATE_LIMIT_MAX: '0', CLIENT_MAX_ACTIVE: '0',
      // A sender of its own: the lab's MX greylists each new (client, sender, recipient) of bulk.test
      // for 3 s (test/lab/greylist.ts), so every receive check really waits, as on a real platform.
      TEST_MAIL_FROM: `pacing-${randomBytes(4).toString('hex')}@diagnostics.test`,
      LOG_LEVEL: 'info',
    });
  });
  after(() => s?.close());

  it(`runs ${N} diagnostics, at most ${ACTIVE} active at once, all healthy (one cancelled while it waits)`, async () => {
    const posted = await Promise.all(Array.from({ length: N }, async (_, k) => {
      const account = bulkAddress(k + 1);
      const res = await s.request.post('/v1/diagnostics').set(s.auth)
        .send({ account, password: findBulkMailbox(account)!.password, checks: [...CHECK_IDS] });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    }));

    // While the worker holds the jobs, the later ones wait for a slot and say how many are ahead.
    let seenQueued: DiagnosticRecord | undefined;
    const until = Date.now() + 20_000;
    while (!seenQueued && Date.now() < until) {
      for (const id of posted.slice(-8)) {
        const got = await s.request.get(`/v1/diagnostics/${id}`).set(s.auth);
        assert.equal(got.status, 200);
        if (got.body.status === 'queued' && (got.body.progress?.queuedBehind ?? 0) > 0) { seenQueued = got.body; break; }
      }
      if (!seenQueued) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(seenQueued, 'a diagnostic waiting for a slot shows progress.queuedBehind');
    assert.ok(seenQueued.progress.queuedBehind! >= ACTIVE, `queued behind ${seenQueued.progress.queuedBehind}`);
    assert.equal(seenQueued.startedAt, undefined, 'not started while it waits');

    // Cancelled while it waits for a slot: it ends cancelled without ever starting.
    const del = await s.request.delete(`/v1/diagnostics/${seenQueued.id}`).set(s.auth);
    assert.ok([200, 202].includes(del.status), `DELETE answered ${del.status}`);
    const cancelled = await s.waitFor(seenQueued.id, ['completed', 'failed', 'cancelled'], 30_000);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.startedAt, undefined);
    assert.equal(cancelled.results.length, 0);

    const rest = posted.filter((id) => id !== seenQueued!.id);
    const records = await Promise.all(rest.map((id) => s.waitFor(id, ['completed', 'failed', 'cancelled'], 240_000)));
    const summary = (d: DiagnosticRecord) => JSON.stringify({ status: d.status, verdict: d.verdict, error: d.error, notPassed: d.results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status, r.code, r.message]) });
    for (const d of records) {
      assert.equal(d.status, 'completed', summary(d));
      assert.equal(d.verdict, 'healthy', summary(d));
      assert.equal(d.progress.queuedBehind, undefined, 'the queue position goes once the run starts');
    }

    // From the records alone: a run is active from startedAt (slot granted) at least until its
    // receive check started (the slot goes back once receive waits for mail). Those intervals
    // never overlap more than ACTIVE deep.
    const edges: Array<[number, number]> = [];
    for (const d of records) {
      const start = Date.parse(d.startedAt!);
      const receive = d.results.find((r) => r.id === 'receive')!;
      edges.push([start, 1], [Date.parse(receive.startedAt), -1]);
    }
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let depth = 0;
    let deepest = 0;
    for (const [, step] of edges) { depth += step; deepest = Math.max(deepest, depth); }
    assert.ok(deepest <= ACTIVE, `${deepest} runs were in their active part at once`);
    // The worker's own count: the limit was reached (the 40 did queue) and never passed.
    assert.equal(s.worker!.gate.peak, ACTIVE);
    assert.equal(s.worker!.gate.active, 0);

    // The wait is outside the run: the last runs waited for a slot, and their own duration is a
    // run's, not wait + run.
    const waits = records.map((d) => Date.parse(d.startedAt!) - Date.parse(d.createdAt));
    const maxWait = Math.max(...waits);
    assert.ok(maxWait > 1000, `the later runs waited for a slot (${maxWait} ms)`);
    const last = records[waits.indexOf(maxWait)];
    assert.ok(last.durationMs! <= Date.parse(last.finishedAt!) - Date.parse(last.startedAt!) + 50, 'durationMs counts from the slot, not from the queue');
  });
});
