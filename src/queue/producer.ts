// Puts diagnostics on the queue and takes queued ones off it (cancel). Job id = diagnostic id.
// A job is only ever added by the admission script, together with its record (store/admission.ts):
// BullMQ says how, through its public Job#addJob(transaction), which queues exactly one command
// (its add script, with its keys and arguments) on the transaction it is given; here that command
// is recorded instead of sent, and the admission script runs it.
import { Job, Queue, type IRedisTransaction } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { DIAGNOSTICS_QUEUE } from './names.js';
import type { DiagnosticJobData } from './payload.js';

/** Name of every diagnostics job (the id says which diagnostic). */
export const DIAGNOSTIC_JOB = 'diagnostic';

/** The one Redis command BullMQ would send to add a job: a script it defined on the connection. */
export interface JobAddCommand {
  /** Name of the script's command on the connection (BullMQ's, with its version). */
  name: string;
  /** The script's Lua, as BullMQ defined it. */
  lua: string;
  numberOfKeys: number;
  /** KEYS then ARGV. */
  args: Array<string | Buffer | number>;
}

export class JobAddShapeError extends Error {
  override name = 'JobAddShapeError';
}

export interface DiagnosticProducer {
  readonly queue: Queue<DiagnosticJobData>;
  /** The command that adds the job of `data` (nothing is sent); throws when BullMQ refuses the job. */
  addCommand(data: DiagnosticJobData): Promise<JobAddCommand>;
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
  /** Scripts defined on the connection, by command name (ioredis' Commander#scriptsSet). */
  const scripts = opts.connection.scriptsSet as Record<string, { lua: string; numberOfKeys: number | null }>;
  let connected = false;
  return {
    queue,
    async addCommand(data) {
      if (!connected) {
        // BullMQ defines its scripts once its connection has been ready; until then it waits for
        // Redis however long: a command of the same connection fails fast instead (maxRetriesPerRequest).
        const client = queue.getBackend().client;
        await Promise.race([client, opts.connection.ping().then(() => client)]);
        connected = true;
      }
      const sent: Array<[string, unknown[]]> = [];
      const recorder = { runCommand(name: string, args: unknown[]) { sent.push([name, args]); return recorder; } };
      // No delay: a start planned later is in the record (notBefore); the worker holds the job till then.
      const job = new Job<DiagnosticJobData>(queue, DIAGNOSTIC_JOB, data, { ...JOB_OPTIONS, jobId: data.diagnosticId }, data.diagnosticId);
      await job.addJob(recorder as unknown as IRedisTransaction);
      const script = sent.length === 1 ? scripts[sent[0][0]] : undefined;
      if (!script || typeof script.numberOfKeys !== 'number') {
        throw new JobAddShapeError(`BullMQ adds a job with ${sent.map(([n]) => n).join(', ') || 'no command'}, not one script of its own: the admission cannot embed it`);
      }
      return { name: sent[0][0], lua: script.lua, numberOfKeys: script.numberOfKeys, args: sent[0][1] as JobAddCommand['args'] };
    },
    async removeQueued(id) {
      return (await queue.remove(id)) === 1;
    },
    close: () => queue.close(),
  };
}
