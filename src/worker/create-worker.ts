// The diagnostics worker: a BullMQ Worker with high concurrency (the work is waiting on I/O),
// stall recovery tuned from the config, cancel delivery and a graceful stop.
import { Worker } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import type { Logger } from 'pino';
import { requireSealKey, type Config } from '../config/index.js';
import { buildCheckDeps } from '../run/build-deps.js';
import type { CheckDeps } from '../diagnostics/deps.js';
import { createRegistry } from '../run/registry.js';
import { sealKeyring } from '../queue/keyring.js';
import { DIAGNOSTICS_QUEUE } from '../queue/names.js';
import type { DiagnosticJobData } from '../queue/payload.js';
import { createDiagnosticStore, TERMINAL } from '../store/diagnostic-store.js';
import { createEventWriter } from '../store/events.js';
import { createFinisher, type OnFinished } from '../store/finisher.js';
import { NO_OUTCOME_METRICS, type MetricsStore } from '../store/metrics-store.js';
import { createRedis } from '../store/redis.js';
import { storeTtls } from '../store/ttl.js';
import { createRunRegistry, listenForCancels } from './cancel-listener.js';
import { createProcessor } from './processor.js';
import { createActiveGate, type ActiveGate } from './pacing.js';

export interface DiagnosticWorkerOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** Called when a diagnostic ends (completed, failed, cancelled): the webhook hook. */
  onFinished?: OnFinished;
  /** Check I/O (default: built from the config). */
  checkDeps?: CheckDeps;
  /** Counts the diagnostics this worker ends (src/metrics.ts `registerOutcomeMetrics`; default: not counted). */
  outcomes?: MetricsStore;
  /** Paces the runs' active part (default: WORKER_ACTIVE_MAX slots). */
  gate?: ActiveGate;
}

export interface DiagnosticWorker {
  readonly worker: Worker<DiagnosticJobData>;
  /** Runs in their active part, waiting for a slot, the peak (WORKER_ACTIVE_MAX). */
  readonly gate: ActiveGate;
  /** Stops taking jobs; running ones may finish for `graceMs`, then are handed back. */
  close(graceMs?: number): Promise<void>;
}

export async function startDiagnosticWorker(opts: DiagnosticWorkerOptions): Promise<DiagnosticWorker> {
  const { config } = opts;
  const log = opts.logger.child({ component: 'worker' });
  const sealKey = sealKeyring(requireSealKey(config), config.sealKeyPrevious);
  const redis: RedisClient = createRedis(config, 'worker');
  const subscriber: RedisClient = createRedis(config, 'subscriber');
  const store = createDiagnosticStore(redis, config.REDIS_PREFIX, storeTtls(config));
  const events = createEventWriter(redis, config.REDIS_PREFIX, storeTtls(config));
  const finish = createFinisher({ store, events, metrics: opts.outcomes ?? NO_OUTCOME_METRICS, log, onFinished: opts.onFinished });
  const runs = createRunRegistry();
  await listenForCancels(subscriber, store.keys.cancelChannel, runs, log);

  const gate = opts.gate ?? createActiveGate(config.WORKER_ACTIVE_MAX);
  const processor = createProcessor({
    config, sealKey, store, events, finish, runs, log, gate,
    registry: createRegistry(),
    checkDeps: opts.checkDeps ?? buildCheckDeps(config),
  });
  const worker = new Worker<DiagnosticJobData>(DIAGNOSTICS_QUEUE, processor, {
    connection: redis,
    prefix: config.REDIS_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: config.WORKER_MAX_STALLED,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
  });
  worker.on('error', (err) => log.error({ err: { name: err.name, message: err.message } }, 'worker error'));
  // Jobs that failed outside the processor (stalled too often): the record must still end.
  worker.on('failed', (job, err) => {
    const id = job?.data?.diagnosticId;
    if (!id) return;
    void (async () => {
      const r = await store.get(id);
      if (!r || TERMINAL.has(r.status)) return;
      log.error({ diagnosticId: id, code: 'WORKER_LOST', err: { message: err.message } }, 'diagnostic job failed outside the run');
      await finish({ ...r, status: 'failed', finishedAt: new Date().toISOString(), progress: { ...r.progress, running: [] }, error: { code: 'WORKER_LOST', message: 'the workers running this diagnostic stopped too many times' } });
    })().catch((e: Error) => log.error({ diagnosticId: id, err: { message: e.message } }, 'cannot record the failure'));
  });
  await worker.waitUntilReady();
  log.info({ concurrency: config.WORKER_CONCURRENCY, activeMax: gate.max }, 'diagnostics worker started');

  let closing: Promise<void> | undefined;
  return {
    worker,
    gate,
    close(graceMs = config.WORKER_SHUTDOWN_GRACE_MS) {
      closing ??= (async () => {
        const timer = setTimeout(() => {
          const n = runs.stopAll('shutdown');
          if (n) log.warn({ running: n }, 'grace period over: handing running diagnostics back');
        }, graceMs);
        try {
          await worker.close();
        } finally {
          clearTimeout(timer);
        }
        await subscriber.quit().catch(() => subscriber.disconnect());
        await redis.quit().catch(() => redis.disconnect());
        log.info('diagnostics worker stopped');
      })();
      return closing;
    },
  };
}
