// Puts diagnostics on the queue and takes queued ones off it (cancel). Job id = diagnostic id.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DIAGNOSTICS_QUEUE } from './names.js';
import type { DiagnosticJobData } from './payload.js';

export interface DiagnosticProducer {
  readonly queue: Queue<DiagnosticJobData>;
  /** delayMs: hold the job that long first (the account's lockout budget is spent for now). */
  enqueue(data: DiagnosticJobData, opts?: { delayMs?: number }): Promise<void>;
  /** Removes a job that no worker holds; false when a worker runs it (or it is gone). */
  removeQueued(diagnosticId: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createDiagnosticProducer(opts: { connection: Redis; prefix: string; onError?: (err: Error) => void }): DiagnosticProducer {
  const queue = new Queue<DiagnosticJobData>(DIAGNOSTICS_QUEUE, {
    connection: opts.connection,
    prefix: opts.prefix,
    defaultJobOptions: {
      // The job holds the sealed password: it must not outlive the run.
      removeOnComplete: true,
      removeOnFail: true,
      attempts: 1,
    },
  });
  // Connection errors surface here while Redis is away; requests fail on their own and /readyz tells.
  queue.on('error', opts.onError ?? (() => undefined));
  return {
    queue,
    async enqueue(data, o) {
      await queue.add('diagnostic', data, { jobId: data.diagnosticId, ...(o?.delayMs ? { delay: o.delayMs } : {}) });
    },
    async removeQueued(id) {
      return (await queue.remove(id)) === 1;
    },
    close: () => queue.close(),
  };
}
