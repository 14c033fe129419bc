// Many diagnostics at once, as a control panel with many customers would start them: POST them
// over a few connections, wait until the service has finished them all, read every record, and
// fold the records into figures (per-check durations, verdicts, what did not pass, concurrency).
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { CHECK_IDS, type CheckId } from '../src/diagnostics/types.js';
import type { PublicDiagnostic } from '../src/store/public-view.js';
import type { ApiClient } from './api-client.js';

export interface Posted {
  account: string;
  /** Epoch ms just before the POST was sent. */
  postAt: number;
  id?: string;
  /** Why it was not accepted (status and code, or a transport error). */
  error?: string;
}

/** Runs `fn` over `items` with at most `parallel` at a time, in order of start. */
export async function eachLimited<T, R>(items: readonly T[], parallel: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

export async function postBatch(api: ApiClient, bodies: Array<Record<string, unknown> & { account: string }>, via: Dispatcher, parallel: number): Promise<Posted[]> {
  return eachLimited(bodies, parallel, async (body) => {
    const postAt = Date.now();
    try {
      const r = await api.post(body, via);
      if (r.status !== 202) return { account: body.account, postAt, error: `POST ${r.status} ${r.body.code ?? ''}`.trim() };
      return { account: body.account, postAt, id: r.body.id };
    } catch (err) {
      return { account: body.account, postAt, error: `POST ${(err as Error).name}: ${(err as Error).message}` };
    }
  });
}

/**
 * Resolves once `finished()` (a counter of ended diagnostics, all statuses) has grown by
 * `count` since `base`, or at `deadline` (performance.now() ms); returns how many finished.
 */
export async function waitForCount(finished: () => Promise<number>, base: number, count: number, deadline: number, everyMs = 250): Promise<number> {
  for (;;) {
    const n = (await finished().catch(() => base)) - base;
    if (n >= count || performance.now() >= deadline) return n;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function fetchAll(api: ApiClient, ids: string[], parallel = 16): Promise<Array<PublicDiagnostic | { id: string; fetchError: string }>> {
  return eachLimited(ids, parallel, async (id) => {
    try {
      return await api.get(id);
    } catch (err) {
      return { id, fetchError: (err as Error).message };
    }
  });
}

export interface BatchFigures {
  requested: number;
  accepted: number;
  completed: number;
  /** First POST sent → last finishedAt, ms (NaN unless every accepted one finished). */
  wallMs: number;
  /** POST sent → finishedAt, per finished diagnostic, ms. */
  latencies: number[];
  /** The worker's durationMs of each run. */
  runMs: number[];
  /** createdAt → startedAt (waiting in the queue), ms. */
  queueMs: number[];
  perCheck: Map<CheckId, number[]>;
  verdicts: Map<string, number>;
  /** `check:status:code` of every check that did not pass → count. */
  notPassed: Map<string, number>;
  /** One message of each of those (the first seen), to tell why. */
  examples: Map<string, string>;
  /** Where each receive check's wait went (its evidence), ms from the first delivery attempt. */
  receive: { attempts: number[]; acceptedMs: number[]; firstExistsMs: number[]; foundMs: number[] };
  /** Most diagnostics running at the same moment (from startedAt/finishedAt). */
  peakInFlight: number;
  /**
   * Most runs in their active part at the same moment, at least: from startedAt (the run got its
   * WORKER_ACTIVE_MAX slot) to its receive check's start (the slot goes back a little later, once
   * receive waits for mail). Runs without a receive result count until finishedAt.
   */
  peakActive: number;
  /** POST refusals, runs that did not complete, records that could not be read. */
  errors: string[];
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export function figures(posted: Posted[], records: Array<PublicDiagnostic | { id: string; fetchError: string }>): BatchFigures {
  const f: BatchFigures = {
    requested: posted.length, accepted: 0, completed: 0, wallMs: NaN, latencies: [], runMs: [], queueMs: [],
    perCheck: new Map(CHECK_IDS.map((c) => [c, []])), verdicts: new Map(), notPassed: new Map(), examples: new Map(), peakInFlight: 0, peakActive: 0, errors: [],
    receive: { attempts: [], acceptedMs: [], firstExistsMs: [], foundMs: [] },
  };
  const postAt = new Map<string, number>();
  for (const p of posted) {
    if (p.id) { f.accepted++; postAt.set(p.id, p.postAt); } else f.errors.push(`${p.account}: ${p.error}`);
  }
  const edges: Array<[number, number]> = [];
  const activeEdges: Array<[number, number]> = [];
  let lastFinish = 0;
  let unfinished = 0;
  for (const r of records) {
    if ('fetchError' in r) { unfinished++; f.errors.push(`${r.id}: GET failed: ${r.fetchError}`); continue; }
    const started = r.startedAt ? Date.parse(r.startedAt) : NaN;
    const finished = r.finishedAt ? Date.parse(r.finishedAt) : NaN;
    if (Number.isFinite(started)) {
      edges.push([started, 1]);
      edges.push([Number.isFinite(finished) ? finished : Infinity, -1]);
      f.queueMs.push(started - Date.parse(r.createdAt));
    }
    if (Number.isFinite(finished)) lastFinish = Math.max(lastFinish, finished);
    else unfinished++;
    if (r.status !== 'completed') {
      f.errors.push(`${r.account}: ended ${r.status}${r.error ? ` ${r.error.code}` : ''}`);
      continue;
    }
    f.completed++;
    const receiveAt = r.results.find((c) => c.id === 'receive' && c.status !== 'skipped')?.startedAt;
    if (Number.isFinite(started)) activeEdges.push([started, 1], [receiveAt ? Date.parse(receiveAt) : finished, -1]);
    f.latencies.push(finished - (postAt.get(r.id) ?? Date.parse(r.createdAt)));
    if (r.durationMs !== undefined) f.runMs.push(r.durationMs);
    bump(f.verdicts, r.verdict ?? 'none');
    for (const c of r.results) {
      f.perCheck.get(c.id)?.push(c.durationMs);
      if (c.status !== 'pass') {
        const key = `${c.id}:${c.status}${c.code ? `:${c.code}` : ''}`;
        bump(f.notPassed, key);
        if (!f.examples.has(key) && c.status !== 'skipped') f.examples.set(key, c.message);
      }
      if (c.id === 'receive') receiveTiming(f.receive, c.evidence as ReceiveEvidence);
    }
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0;
  for (const [, d] of edges) f.peakInFlight = Math.max(f.peakInFlight, (inFlight += d));
  activeEdges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let active = 0;
  for (const [, d] of activeEdges) f.peakActive = Math.max(f.peakActive, (active += d));
  const firstPost = Math.min(...posted.map((p) => p.postAt));
  if (f.accepted && !unfinished) f.wallMs = lastFinish - firstPost;
  return f;
}

interface ReceiveEvidence {
  delivery?: { attempts?: unknown[]; acceptedAfterMs?: number };
  arrival?: { received?: { atMs?: number }; existsAtMs?: number[] };
}

function receiveTiming(r: BatchFigures['receive'], e: ReceiveEvidence | undefined) {
  if (e?.delivery?.attempts) r.attempts.push(e.delivery.attempts.length);
  if (typeof e?.delivery?.acceptedAfterMs === 'number') r.acceptedMs.push(e.delivery.acceptedAfterMs);
  if (typeof e?.arrival?.existsAtMs?.[0] === 'number') r.firstExistsMs.push(e.arrival.existsAtMs[0]);
  if (typeof e?.arrival?.received?.atMs === 'number') r.foundMs.push(e.arrival.received.atMs);
}

/** `a=1, b=2` of a count map, largest first. */
export const counts = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
