// Admitting a new diagnostic: one script (create-script.ts) decides, writes the record and, only
// then, adds its BullMQ job with BullMQ's own add script, embedded. One round trip (EVALSHA), and
// Redis runs a script whole: a crash can no longer leave a queued record without a job and the
// account locked, nor a refused request leave a job (with its sealed password) behind. A job
// without a record is still dropped by the worker (worker/processor.ts), should one ever exist.
import type { Logger } from 'pino';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import type { DiagnosticProducer } from '../queue/producer.js';
import type { DiagnosticJobData } from '../queue/payload.js';
import { admissionScript, CREATE_ARGS, CREATE_KEYS } from './create-script.js';
import type { DiagnosticStore } from './diagnostic-store.js';
import type { Finisher } from './finisher.js';
import type { RedisClient } from './redis.js';
import type { StoreTtls } from './ttl.js';

/** The client's request count in its rate window, and the window's remaining time. */
export interface RateCount {
  count: number;
  ttlMs: number;
}

export type AdmissionOutcome = (
  /** delayMs > 0: the account's lockout budget is spent for now; the run starts that much later. */
  | { kind: 'created'; record: DiagnosticRecord; delayMs: number }
  | { kind: 'replay'; record: DiagnosticRecord }
  | { kind: 'mismatch'; id: string }
  | { kind: 'conflict'; id: string }
  | { kind: 'throttled'; retryAfterSeconds: number }
  /** The client's cap on queued + running diagnostics is reached. */
  | { kind: 'busy' }
  /** The client's request rate is spent (rate.ttlMs says for how long). */
  | { kind: 'ratelimited' }
) & { rate?: RateCount };

export interface AdmissionOptions {
  /**
   * max: per client and account (429); accountMax: per account, all clients (delays the start by
   * at most maxDelayMs, then 429); maxActive: the client's queued + running diagnostics (0 = no cap).
   */
  throttle: { max: number; windowSeconds: number; accountMax: number; maxDelayMs: number };
  maxActive: number;
  /** The client's request rate, counted by this POST (absent: not limited, or already counted). */
  rate?: { max: number; windowMs: number };
  /** Idempotency key digest and request fingerprint (both already hashed/HMACed). */
  idempotency?: {
    keyDigest: string;
    fingerprint: string;
    /** Whether a stored fingerprint of another form (previous key, before key ids) is this same request. */
    accepts?: (stored: string) => boolean;
    ttlSeconds: number;
  };
  /** Safety expiry of the running-lock, seconds (a run never lasts that long). */
  lockTtlSeconds: number;
  now: number;
}

/** The job was not added although its record was (the record has been ended failed). */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

type ScriptReply = [kind: string, a: string, b: string, rateCount: string, rateTtl: string];
type Command = (...args: unknown[]) => Promise<ScriptReply>;

export function createAdmission(d: {
  redis: RedisClient; prefix: string; ttls: StoreTtls; store: DiagnosticStore; producer: DiagnosticProducer; finish: Finisher; log: Logger;
}) {
  const k = d.store.keys;
  const defined = new Map<string, Command>();

  /** The admission command embedding BullMQ's add script (defined once per script: EVALSHA after its first use on a connection). */
  const commandFor = (add: { name: string; lua: string; numberOfKeys: number }): Command => {
    let command = defined.get(add.name);
    if (!command) {
      const name = `exdiagAdmit:${add.name}`;
      d.redis.defineCommand(name, { numberOfKeys: CREATE_KEYS + add.numberOfKeys, lua: admissionScript(add.lua) });
      command = (d.redis as unknown as Record<string, Command>)[name].bind(d.redis);
      defined.set(add.name, command);
    }
    return command;
  };

  /** The record exists, its job does not: end it now, which also releases the running-lock. */
  const endUnqueued = (record: DiagnosticRecord) =>
    d.finish({ ...record, status: 'failed', finishedAt: new Date().toISOString(), error: { code: 'QUEUE_UNAVAILABLE', message: 'the diagnostic could not be queued' } });

  /**
   * After a script error, what was written (the id is new, so anything under it is this request's):
   * nothing; the record and its job (it ran, its answer was lost); or a record alone (it failed
   * half-way, in BullMQ's part), which is ended, with whatever part of a job it left.
   */
  const settle = async (record: DiagnosticRecord): Promise<'nothing' | 'admitted' | 'ended'> => {
    if (!(await d.store.get(record.id))) return 'nothing';
    const state = await d.producer.queue.getJobState(record.id).catch(() => 'unknown');
    if (['waiting', 'delayed', 'prioritized', 'active'].includes(state)) return 'admitted';
    await d.producer.removeQueued(record.id).catch(() => undefined);
    await endUnqueued(record);
    return 'ended';
  };

  return {
    async admit(record: DiagnosticRecord, job: DiagnosticJobData, o: AdmissionOptions): Promise<AdmissionOutcome> {
      const idem = o.idempotency;
      // BullMQ validates the job first: a refusal there sends nothing.
      const add = await d.producer.addCommand(job);
      const keys = [
        idem ? k.idempotency(record.clientId, idem.keyDigest) : `${d.prefix}:idem:none`,
        k.active(record.clientId, record.account), k.throttle(record.clientId, record.account), k.diag(record.id),
        k.byClient(record.clientId), k.byAccount(record.clientId, record.account),
        k.accountBudget(record.account), k.inflight(record.clientId), k.rateLimit(record.clientId),
      ];
      const argv = [
        record.id, JSON.stringify(record), String(o.now), String(o.throttle.max), String(o.throttle.windowSeconds * 1000),
        idem?.fingerprint ?? '', String(idem?.ttlSeconds ?? 0), k.diagPrefix, String(o.lockTtlSeconds),
        String(d.ttls.inFlightTtlSeconds),
        String(o.throttle.accountMax), String(o.maxActive), String(o.throttle.maxDelayMs),
        String(o.rate?.max ?? 0), String(o.rate?.windowMs ?? 0),
      ];
      if (keys.length !== CREATE_KEYS || argv.length !== CREATE_ARGS) throw new Error('admission: wrong number of keys or arguments');
      const addKeys = add.args.slice(0, add.numberOfKeys);
      const addArgv = add.args.slice(add.numberOfKeys);
      let reply: ScriptReply;
      try {
        reply = await commandFor(add)(...keys, ...addKeys, ...argv, ...addArgv);
      } catch (err) {
        // Refused before it ran (NOPERM, OOM…), failed half-way, or ran and its answer was lost.
        if ((await settle(record).catch(() => undefined)) === 'admitted') return { kind: 'created', record, delayMs: 0 };
        throw err;
      }
      const [kind, a, b] = reply;
      const rate = o.rate ? { rate: { count: Number(reply[3]), ttlMs: Number(reply[4]) } } : {};
      switch (kind) {
        case 'created':
          return { kind, record, delayMs: Number(b || 0), ...rate };
        case 'unqueued':
          await endUnqueued(record).catch(() => undefined);
          throw new QueueUnavailableError('BullMQ did not add the job');
        case 'busy': case 'ratelimited':
          return { kind, ...rate };
        case 'conflict':
          // Our own id: the script ran before, its answer lost to a reconnect, and ioredis sent it again.
          if (a === record.id) return { kind: 'created', record, delayMs: 0, ...rate };
          return { kind, id: a, ...rate };
        case 'throttled':
          return { kind, retryAfterSeconds: Math.max(1, Math.ceil(Number(a) / 1000)), ...rate };
        case 'replay': case 'mismatch': {
          // Same request fingerprinted under the previous key (or before key ids): a replay too.
          const same = kind === 'replay' || !!idem?.accepts?.(b);
          const prev = same ? await d.store.get(a) : undefined;
          if (prev) return { kind: 'replay', record: prev, ...rate };
          return { kind: 'mismatch', id: a, ...rate };
        }
      }
      throw new Error(`unexpected admission outcome ${kind}`);
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;
