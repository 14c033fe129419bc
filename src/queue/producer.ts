// Puts diagnostics on the queue and takes queued ones off it (cancel). Job id = diagnostic id.
// A job is only ever added inside a transaction that also writes its record (store/admission.ts):
// BullMQ's public Job#addJob(transaction), the way its FlowProducer adds jobs atomically.
import { Job, Queue, type IRedisTransaction } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { DIAGNOSTICS_QUEUE } from './names.js';
import type { DiagnosticJobData } from './payload.js';

/** Name of every diagnostics job (the id says which diagnostic). */
export const DIAGNOSTIC_JOB = 'diagnostic';

export type QueueTransaction = IRedisTransaction;

export interface DiagnosticProducer {
  readonly queue: Queue<DiagnosticJobData>;
  /** A MULTI on the queue's connection that BullMQ can add a job to (nothing is sent before exec()). */
  transaction(): Promise<QueueTransaction>;
  /** Appends the job's add to `tx`; throws before anything is sent when BullMQ refuses the job. */
  addTo(tx: QueueTransaction, data: DiagnosticJobData): Promise<void>;
  /** Removes a job that no worker holds; false when a worker runs it (or it is gone). */
  removeQueued(diagnosticId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** The job holds the sealed password: it must not outlive the run. */
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true, attempts: 1 } as const;

export function createDiagnosticProducer(opts: { connection: Redis | Cluster; prefix: string; onError?: (err: Error) => void }): DiagnosticProducer {
  const queue = new Queue<DiagnosticJobData>(DIAGNOSTICS_QUEUE, {
    connection: opts.connection,
    prefix: opts.prefix,
    defaultJobOptions: JOB_OPTIONS,
  });
  // Connection errors surface here while Redis is away; requests fail on their own and /readyz tells.
  queue.on('error', opts.onError ?? (() => undefined));
  let connected = false;
  return {
    queue,
    async transaction() {
      const client = queue.getBackend().client;
      // Until BullMQ's connection has been ready once, it waits for Redis however long: a command
      // of the same connection fails fast instead (maxRetriesPerRequest), and so does the request.
      if (!connected) await Promise.race([client, opts.connection.ping().then(() => client)]);
      connected = true;
      return (await client).multi();
    },
    async addTo(tx, data) {
      // No delay: a start planned later is in the record (notBefore), the worker holds the job till then.
      const job = new Job<DiagnosticJobData>(queue, DIAGNOSTIC_JOB, data, { ...JOB_OPTIONS, jobId: data.diagnosticId }, data.diagnosticId);
      await job.addJob(tx);
    },
    async removeQueued(id) {
      return (await queue.remove(id)) === 1;
    },
    close: () => queue.close(),
  };
}
