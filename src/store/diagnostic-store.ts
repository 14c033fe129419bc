// Diagnostic records in Redis: JSON at {prefix}:diag:{id}, per-client and per-account indexes,
// the running-lock, the throttle and idempotency keys. Every one of them expires (ttl.ts).
import type { Redis } from 'ioredis';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { CREATE_SCRIPT, RELEASE_SCRIPT } from './create-script.js';
import { storeKeys } from './keys.js';
import type { StoreTtls } from './ttl.js';

export type CreateOutcome =
  /** delayMs > 0: the account's lockout budget is spent for now; the job must wait that long. */
  | { kind: 'created'; record: DiagnosticRecord; delayMs: number }
  | { kind: 'replay'; record: DiagnosticRecord }
  | { kind: 'mismatch'; id: string }
  | { kind: 'conflict'; id: string }
  | { kind: 'throttled'; retryAfterSeconds: number }
  /** The client's cap on queued + running diagnostics is reached. */
  | { kind: 'busy' };

export interface CreateOptions {
  /**
   * max: per client and account (429); accountMax: per account, all clients (delays the start by
   * at most maxDelayMs, then 429); maxActive: the client's queued + running diagnostics (0 = no cap).
   */
  throttle: { max: number; windowSeconds: number; accountMax: number; maxDelayMs: number };
  maxActive: number;
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

export interface ListPage {
  items: DiagnosticRecord[];
  nextCursor?: string;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function createDiagnosticStore(redis: Redis, prefix: string, opts: StoreTtls) {
  const k = storeKeys(prefix);

  const get = async (id: string): Promise<DiagnosticRecord | undefined> => {
    const raw = await redis.get(k.diag(id));
    return raw ? (JSON.parse(raw) as DiagnosticRecord) : undefined;
  };

  return {
    keys: k,
    get,

    async create(record: DiagnosticRecord, o: CreateOptions): Promise<CreateOutcome> {
      const idem = o.idempotency;
      const idemKey = idem ? k.idempotency(record.clientId, idem.keyDigest) : `${prefix}:idem:none`;
      let fingerprint = idem?.fingerprint ?? '';
      if (idem?.accepts) {
        // The same request fingerprinted under the previous key still replays (the script compares strings).
        const stored = (await redis.get(idemKey))?.split('|')[0];
        if (stored && stored !== fingerprint && idem.accepts(stored)) fingerprint = stored;
      }
      const res = (await redis.eval(
        CREATE_SCRIPT, 8,
        idemKey,
        k.active(record.clientId, record.account), k.throttle(record.clientId, record.account), k.diag(record.id),
        k.byClient(record.clientId), k.byAccount(record.clientId, record.account),
        k.accountBudget(record.account), k.inflight(record.clientId),
        record.id, JSON.stringify(record), String(o.now), String(o.throttle.max), String(o.throttle.windowSeconds * 1000),
        fingerprint, String(idem?.ttlSeconds ?? 0), k.diagPrefix, String(o.lockTtlSeconds),
        String(opts.inFlightTtlSeconds),
        String(o.throttle.accountMax), String(o.maxActive), String(o.throttle.maxDelayMs),
      )) as [string, string, string?];
      const [kind, value] = res;
      if (kind === 'created') return { kind, record, delayMs: Number(res[2] ?? 0) };
      if (kind === 'busy') return { kind };
      if (kind === 'replay') {
        const prev = await get(value);
        if (prev) return { kind, record: prev };
      }
      if (kind === 'mismatch' || kind === 'conflict') return { kind, id: value };
      if (kind === 'throttled') return { kind, retryAfterSeconds: Math.max(1, Math.ceil(Number(value) / 1000)) };
      throw new Error(`unexpected create outcome ${kind}`);
    },

    /** Writes an in-flight record; each write gives it the whole in-flight TTL again. */
    async save(record: DiagnosticRecord): Promise<void> {
      await redis.set(k.diag(record.id), JSON.stringify(record), 'EX', opts.inFlightTtlSeconds);
    },

    /**
     * Writes a finished record: it and its events expire after the result TTL, its indexes no
     * sooner (a run that waited long in the queue ends after its index's expiry was last set).
     */
    async saveFinished(record: DiagnosticRecord): Promise<void> {
      const ttl = opts.resultTtlSeconds;
      const m = redis.multi()
        .set(k.diag(record.id), JSON.stringify(record), 'EX', ttl)
        .expire(k.events(record.id), ttl)
        .del(k.cancel(record.id))
        .eval(RELEASE_SCRIPT, 1, k.active(record.clientId, record.account), record.id);
      for (const idx of [k.byClient(record.clientId), k.byAccount(record.clientId, record.account)]) {
        // NX then GT: an expiry is set where none is, and only ever lengthened.
        m.expire(idx, ttl, 'NX').expire(idx, ttl, 'GT');
      }
      await m.exec();
    },

    /** Newest first; the cursor is opaque to clients (base64url of score and id). */
    async list(clientId: string, q: { account?: string; limit: number; cursor?: string }): Promise<ListPage> {
      const key = q.account ? k.byAccount(clientId, q.account) : k.byClient(clientId);
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      const items: DiagnosticRecord[] = [];
      let max = after ? String(after.score) : '+inf';
      let skipTies = after;
      let nextCursor: string | undefined;
      for (let round = 0; round < 10 && items.length <= q.limit; round++) {
        const batch = await redis.zrevrangebyscore(key, max, '-inf', 'WITHSCORES', 'LIMIT', 0, q.limit + 20);
        if (!batch.length) break;
        const pairs: Array<[string, number]> = [];
        for (let i = 0; i < batch.length; i += 2) pairs.push([batch[i], Number(batch[i + 1])]);
        // Same-score members come in reverse lexical order; skip those at or before the cursor.
        const fresh = pairs.filter(([id, s]) => !(skipTies && s === skipTies.score && id >= skipTies.id));
        const records = fresh.length ? await redis.mget(fresh.map(([id]) => k.diag(id))) : [];
        const gone: string[] = [];
        fresh.forEach(([id], i) => {
          const raw = records[i];
          if (!raw) { gone.push(id); return; }
          if (items.length < q.limit) items.push(JSON.parse(raw) as DiagnosticRecord);
          else if (!nextCursor) nextCursor = encodeCursor(items[items.length - 1]);
        });
        // Expired records leave their index entries behind: tidy them lazily.
        if (gone.length) await redis.zrem(key, ...gone);
        if (nextCursor || batch.length < (q.limit + 20) * 2) break;
        const [lastId, lastScore] = pairs[pairs.length - 1];
        max = String(lastScore);
        skipTies = { score: lastScore, id: lastId };
      }
      return { items, ...(nextCursor ? { nextCursor } : {}) };
    },

    /** Marks a running diagnostic for cancellation and tells the workers. */
    async requestCancel(id: string): Promise<void> {
      await redis.set(k.cancel(id), '1', 'EX', 24 * 3600);
      await redis.publish(k.cancelChannel, id);
    },

    async cancelRequested(id: string): Promise<boolean> {
      return (await redis.exists(k.cancel(id))) === 1;
    },
  };
}

export type DiagnosticStore = ReturnType<typeof createDiagnosticStore>;

function encodeCursor(last: DiagnosticRecord): string {
  const score = Date.parse(last.createdAt);
  return Buffer.from(JSON.stringify([score, last.id])).toString('base64url');
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

function decodeCursor(cursor: string): { score: number; id: string } {
  try {
    const [score, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof score === 'number' && Number.isFinite(score) && typeof id === 'string') return { score, id };
  } catch { /* fall through */ }
  throw new InvalidCursorError('cursor is not one this API returned');
}
