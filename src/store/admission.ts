// Admitting a new diagnostic: its record (create-script.ts decides) and its BullMQ job are written
// in one MULTI/EXEC, one round trip. Redis runs a transaction whole or not at all (AOF logs it as
// one block), so a crash can no longer leave a queued record without a job, the account locked.
// MULTI is not conditional: when the script refuses (replay, conflict, throttled…), the job was
// added all the same; it is removed right after, and a worker that meets it first drops it,
// since its record does not exist (worker/processor.ts). Its sealed password never lingers.
import type { Logger } from 'pino';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import type { DiagnosticProducer } from '../queue/producer.js';
import type { DiagnosticJobData } from '../queue/payload.js';
import { CREATE_SCRIPT, CREATE_SCRIPT_KEYS } from './create-script.js';
import type { DiagnosticStore } from './diagnostic-store.js';
import type { Finisher } from './finisher.js';
import { dataNodes, type RedisClient } from './redis.js';
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

/** Nothing was queued (Redis refused or failed the transaction); the record, if any, ended failed. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

const COMMAND = 'exdiagCreateDiagnostic';

type ScriptReply = [kind: string, a: string, b: string, rateCount: string, rateTtl: string];

export function createAdmission(d: {
  redis: RedisClient; prefix: string; ttls: StoreTtls; store: DiagnosticStore; producer: DiagnosticProducer; finish: Finisher; log: Logger;
}) {
  const k = d.store.keys;
  // EVALSHA after the first use on each connection (ioredis sends the text once per socket).
  if (!(COMMAND in d.redis)) d.redis.defineCommand(COMMAND, { numberOfKeys: CREATE_SCRIPT_KEYS, lua: CREATE_SCRIPT });

  /** Takes the job of a refused or failed admission off the queue (a worker would drop it anyway). */
  const discard = async (id: string) => {
    await d.producer.removeQueued(id).catch((err: Error) =>
      d.log.warn({ diagnosticId: id, err: { name: err.name, message: err.message } }, 'job of a refused diagnostic not removed; a worker drops it'));
  };

  return {
    async admit(record: DiagnosticRecord, job: DiagnosticJobData, o: AdmissionOptions): Promise<AdmissionOutcome> {
      const idem = o.idempotency;
      const args = [
        idem ? k.idempotency(record.clientId, idem.keyDigest) : `${d.prefix}:idem:none`,
        k.active(record.clientId, record.account), k.throttle(record.clientId, record.account), k.diag(record.id),
        k.byClient(record.clientId), k.byAccount(record.clientId, record.account),
        k.accountBudget(record.account), k.inflight(record.clientId), k.rateLimit(record.clientId),
        record.id, JSON.stringify(record), String(o.now), String(o.throttle.max), String(o.throttle.windowSeconds * 1000),
        idem?.fingerprint ?? '', String(idem?.ttlSeconds ?? 0), k.diagPrefix, String(o.lockTtlSeconds),
        String(d.ttls.inFlightTtlSeconds),
        String(o.throttle.accountMax), String(o.maxActive), String(o.throttle.maxDelayMs),
        String(o.rate?.max ?? 0), String(o.rate?.windowMs ?? 0),
      ];
      const tx = await d.producer.transaction();
      tx.runCommand(COMMAND, args);
      // BullMQ validates the job before anything is sent: a refusal here writes nothing.
      await d.producer.addTo(tx, job);
      let results: Array<[Error | null, unknown]>;
      try {
        results = (await tx.exec()) ?? [];
      } catch (err) {
        // EXECABORT (a command refused when queued: nothing ran) or the connection failed.
        throw new QueueUnavailableError(`transaction not executed: ${(err as Error).message}`);
      }
      const [[scriptErr, reply], [addErr]] = results as [[Error | null, ScriptReply], [Error | null, unknown]];
      if (scriptErr || addErr) {
        if ([scriptErr, addErr].some((e) => e?.message.includes('NOSCRIPT'))) await reloadScripts(d.redis, d.log);
        if (!addErr) await discard(record.id);
        if (!scriptErr && reply[0] === 'created') {
          // The record exists, its job does not: end it now, which also releases the running-lock.
          await d.finish({ ...record, status: 'failed', finishedAt: new Date().toISOString(), error: { code: 'QUEUE_UNAVAILABLE', message: 'the diagnostic could not be queued' } })
            .catch(() => undefined);
        }
        throw new QueueUnavailableError((scriptErr ?? addErr)!.message);
      }
      const [kind, a, b] = reply;
      const rate = o.rate ? { rate: { count: Number(reply[3]), ttlMs: Number(reply[4]) } } : {};
      if (kind === 'created') return { kind, record, delayMs: Number(b || 0), ...rate };
      await discard(record.id);
      switch (kind) {
        case 'busy': case 'ratelimited':
          return { kind, ...rate };
        case 'conflict':
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
      throw new Error(`unexpected create outcome ${kind}`);
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;

/**
 * After SCRIPT FLUSH (or a node that lost its script cache without a reconnect) every EVALSHA in
 * a MULTI fails with NOSCRIPT, and ioredis does not notice inside transactions: load the scripts
 * this connection defined (ours and BullMQ's) again on every node that holds data.
 */
async function reloadScripts(redis: RedisClient, log: Logger): Promise<void> {
  const scripts = Object.values((redis as unknown as { scriptsSet: Record<string, { lua: string }> }).scriptsSet ?? {});
  try {
    await Promise.all(dataNodes(redis).flatMap((node) => scripts.map((s) => node.script('LOAD', s.lua))));
    log.warn({ scripts: scripts.length }, 'Redis had lost its scripts (NOSCRIPT): loaded them again');
  } catch (err) {
    log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'cannot load the scripts into Redis');
  }
}
