// The BullMQ processor: one job = one diagnostic run. Loads the record, opens the password in
// memory only, runs the checks, streams progress, and ends the record however the run ends.
// A job whose record does not exist or has ended is dropped without running (the admission script
// writes both together, store/admission.ts; this holds whatever else put a job there); one whose
// record plans a later start (the account's lockout budget) waits, delayed, until then.
// With tracing on, the run is a span under the POST's (the job's traceparent), each check a child
// span, and the webhook enqueued at the end carries the run's context.
import { DelayedError, WaitingError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { CheckDeps } from '../diagnostics/deps.js';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { runDiagnostic, type RunEvent } from '../run/runner.js';
import type { CheckDefinition, CheckId } from '../diagnostics/types.js';
import { resolvePlatform } from '../platforms/profile.js';
import { parseJobData, type DiagnosticJobData } from '../queue/payload.js';
import type { SealKeys } from '../queue/keyring.js';
import { unseal } from '../queue/seal.js';
import { TERMINAL, type DiagnosticStore } from '../store/diagnostic-store.js';
import type { EventWriter } from '../store/events.js';
import type { Finisher } from '../store/finisher.js';
import type { RunRegistry, StopReason } from './cancel-listener.js';
import type { ActiveGate, ActiveSlot } from './pacing.js';
import { checkTimeouts } from '../run/timeouts.js';
import { runInTrace, startSpan, type TraceSpan } from '../tracing.js';

export interface ProcessorDeps {
  config: Readonly<Config>;
  sealKey: SealKeys;
  store: DiagnosticStore;
  events: EventWriter;
  finish: Finisher;
  registry: ReadonlyMap<CheckId, CheckDefinition>;
  checkDeps: CheckDeps;
  runs: RunRegistry;
  /** Paces the runs' active part (WORKER_ACTIVE_MAX). */
  gate: ActiveGate;
  log: Logger;
}

export function createProcessor(d: ProcessorDeps) {
  return async function processDiagnostic(job: Job<DiagnosticJobData>, token?: string): Promise<void> {
    const { diagnosticId: id, sealed, traceparent } = parseJobData(job.data);
    const log = d.log.child({ diagnosticId: id });
    const stored = await d.store.get(id);
    // Returning completes the job, and completed jobs are removed: the sealed password goes too.
    if (!stored) { log.warn('no record for this job (expired or deleted); job dropped'); return; }
    if (TERMINAL.has(stored.status)) { log.info({ status: stored.status }, 'record already ended; job dropped'); return; }
    if (stored.status === 'queued' && stored.notBefore && stored.notBefore > Date.now()) {
      // BullMQ's manual delay: back to the delayed set (no attempt spent), then DelayedError.
      await job.moveToDelayed(stored.notBefore, token);
      log.info({ notBefore: new Date(stored.notBefore).toISOString() }, 'start planned later (account lockout budget): job delayed');
      throw new DelayedError();
    }

    const ac = new AbortController();
    const unregister = d.runs.register(id, ac);
    // The run's active part waits for a slot (pacing.ts): the wait is not the run's time (its
    // deadline and the checks' timeouts start once it has the slot), and the record shows how many
    // runs are ahead while it waits.
    let slot: ActiveSlot;
    try {
      slot = await d.gate.acquire(ac.signal, (ahead) => {
        void d.store.save({ ...stored, status: 'queued', progress: { ...stored.progress, queuedBehind: ahead + d.gate.active } })
          .catch((err: Error) => log.warn({ err: { message: err.message } }, 'cannot record the queue position'));
      });
    } catch {
      unregister();
      const reason = ac.signal.reason as StopReason;
      if (reason === 'shutdown') {
        await d.store.save({ ...stored, status: 'queued' });
        await job.moveToWait(token);
        log.info('worker stopping: queued diagnostic handed back to the queue');
        throw new WaitingError();
      }
      // Cancelled while it waited: it never started.
      const r = (await d.store.get(id)) ?? stored;
      if (TERMINAL.has(r.status)) return;
      const { queuedBehind: _q, ...progress } = r.progress;
      return await d.finish({ ...r, status: 'cancelled', finishedAt: new Date().toISOString(), progress: { ...progress, running: [] } });
    }
    const span = startSpan('diagnostic.run', {
      kind: 'consumer', parent: traceparent,
      attributes: { 'exdiag.diagnostic.id': id, 'exdiag.client.id': stored.clientId, 'exdiag.platform': stored.platform, 'exdiag.attempt': job.attemptsStarted },
    });
    const checkSpans = new Map<CheckId, TraceSpan>();
    // Every end goes through here: the run's span learns how it ended, and the webhook the finisher
    // queues carries the run's trace.
    const finish = (r: DiagnosticRecord): Promise<void> => {
      if (!span) return d.finish(r);
      span.set({ 'exdiag.diagnostic.status': r.status, 'exdiag.verdict': r.verdict, 'exdiag.primary_cause': r.primaryCause, 'exdiag.error.code': r.error?.code });
      if (r.status === 'failed') span.fail(r.error?.code ?? 'failed');
      return runInTrace(span.traceparent, () => d.finish(r));
    };
    const ended = (status: DiagnosticRecord['status'], extra: Partial<DiagnosticRecord> = {}): DiagnosticRecord => ({
      ...current, status, finishedAt: new Date().toISOString(), progress: { ...current.progress, running: [] }, ...extra,
    });
    // A retry (the previous worker died) starts afresh: no half results of the lost run.
    let current: DiagnosticRecord = {
      ...stored, status: 'running', startedAt: new Date().toISOString(), results: [],
      progress: { total: stored.checks.length, completed: 0, running: [] },
    };
    delete current.verdict; delete current.primaryCause; delete current.causes; delete current.finishedAt; delete current.error; delete current.durationMs;
    try {
      if (await d.store.cancelRequested(id)) return await finish(ended('cancelled'));
      let password: string;
      try {
        password = unseal(d.sealKey, sealed, id);
      } catch (err) {
        log.error({ code: 'SEAL_INVALID', err: { name: (err as Error).name } }, 'cannot open the sealed password');
        return await finish(ended('failed', { error: { code: 'SEAL_INVALID', message: 'the sealed password cannot be opened by this worker (SEAL_KEY differs)' } }));
      }
      const profile = d.config.platforms.get(stored.platform);
      if (!profile) {
        return await finish(ended('failed', { error: { code: 'UNKNOWN_PLATFORM', message: `platform ${stored.platform} is not configured on this worker` } }));
      }
      await d.store.save(current);
      log.info({ attempt: job.attemptsStarted, stalled: job.stalledCounter, slotWaitMs: Math.round(slot.waitedMs) }, 'diagnostic started');

      // Events of parallel checks arrive interleaved: each change applies to the record at once, and
      // the writes are chained. Changes made while a write is still waiting its turn ride along with
      // it (it writes the record as it is when its turn comes): one write instead of one per event,
      // and every caller still resolves only once a write that holds its change is done.
      let chain: Promise<void> = Promise.resolve();
      let pending: Promise<void> | undefined;
      const update = (change: (r: DiagnosticRecord) => DiagnosticRecord) => {
        current = change(current);
        if (!pending) {
          pending = chain = chain.then(async () => { pending = undefined; await d.store.save(current); });
        }
        return pending;
      };
      const onEvent = async (e: RunEvent) => {
        if (e.type === 'check.started') {
          if (span) checkSpans.set(e.check, span.child(`check.${e.check}`, { 'exdiag.check.id': e.check }));
          await update((r) => ({ ...r, progress: { ...r.progress, running: [...r.progress.running, e.check] } }));
          await d.events.append(id, 'check.started', { check: e.check, at: e.at });
          return;
        }
        const res = e.result;
        if (span) {
          // A check skipped for a prerequisite never started: its span is an instant.
          const cs = checkSpans.get(res.id) ?? span.child(`check.${res.id}`, { 'exdiag.check.id': res.id });
          checkSpans.delete(res.id);
          cs.set({ 'exdiag.check.status': res.status, 'exdiag.check.code': res.code, 'exdiag.check.duration_ms': res.durationMs });
          if (res.status === 'error') cs.fail(res.code ?? 'error');
          cs.end();
        }
        log.info({ check: res.id, status: res.status, code: res.code, durationMs: res.durationMs }, 'check finished');
        await update((r) => {
          const results = [...r.results.filter((x) => x.id !== res.id), res].sort((a, b) => r.checks.indexOf(a.id) - r.checks.indexOf(b.id));
          return { ...r, results, progress: { total: r.progress.total, completed: results.length, running: r.progress.running.filter((c) => c !== res.id) } };
        });
        await d.events.append(id, 'check.finished', { check: res.id, result: res });
      };

      try {
        const report = await runDiagnostic(
          { diagnosticId: id, account: stored.account, password, platform: resolvePlatform(stored.platform, profile, stored.server, 'request'), checks: stored.checks },
          {
            // waiting(): the receive check only waits for mail from then on; the slot goes to the next run.
            registry: d.registry, deps: { ...d.checkDeps, waiting: () => slot.release() }, log, signal: ac.signal, onEvent,
            timeouts: checkTimeouts(d.config),
            deadlineMs: d.config.DIAGNOSTIC_DEADLINE_MS,
          },
        );
        await chain;
        await finish(ended('completed', {
          results: report.checks, verdict: report.verdict, causes: report.causes, durationMs: report.durationMs,
          progress: { total: report.checks.length, completed: report.checks.length, running: [] },
          ...(report.primaryCause ? { primaryCause: report.primaryCause } : {}),
        }));
      } catch (err) {
        await chain.catch(() => undefined);
        const reason = ac.signal.aborted ? (ac.signal.reason as StopReason) : undefined;
        if (reason === 'cancel') return await finish(ended('cancelled'));
        if (reason === 'shutdown') {
          // Hand the job back: another worker (or this one after restart) runs it afresh.
          await d.store.save({ ...stored, status: 'queued' });
          await job.moveToWait(token);
          span?.set({ 'exdiag.diagnostic.status': 'requeued' });
          log.info('worker stopping: diagnostic handed back to the queue');
          throw new WaitingError();
        }
        log.error({ code: 'RUN_ERROR', err: { name: (err as Error).name, message: (err as Error).message } }, 'diagnostic run failed');
        await finish(ended('failed', { error: { code: 'RUN_ERROR', message: `the run stopped unexpectedly (${(err as Error).name})` } }));
      }
    } finally {
      slot.release();
      unregister();
      if (span) {
        // Checks still open when the run stopped (cancel, shutdown, deadline).
        for (const cs of checkSpans.values()) { cs.set({ 'exdiag.check.status': 'aborted' }); cs.end(); }
        span.end();
      }
    }
  };
}
