// Diagnostic records in Redis: JSON at {prefix}:diag:{id}, per-client and per-account indexes,
// the running-lock, the throttle and idempotency keys. Records of finished runs expire.
import type { Redis } from 'ioredis';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { CREATE_SCRIPT, RELEASE_SCRIPT } from './create-script.js';
import { storeKeys } from './keys.js';

export type CreateOutcome =
  | { kind: 'created'; record: DiagnosticRecord }
  | { kind: 'replay'; record: DiagnosticRecord }
  | { kind: 'mismatch'; id: string }
  | { kind: 'conflict'; id: string }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface CreateOptions {
  throttle: { max: number; windowSeconds: number };
  /** Idempotency key digest and request fingerprint (both already hashed/HMACed). */
  idempotency?: { keyDigest: string; fingerprint: string; ttlSeconds: number };
  /** Safety expiry of the running-lock, seconds (a run never lasts that long). */
  lockTtlSeconds: number;
  now: number;
}

export interface ListPage {
  items: DiagnosticRecord[];
  nextCursor?: string;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function createDiagnosticStore(redis: Redis, prefix: string, opts: { resultTtlSeconds: number }) {
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
      const res = (await redis.eval(
        CREATE_SCRIPT, 6,
        idem ? k.idempotency(record.clientId, idem.keyDigest) : `${prefix}:idem:none`,
        k.active(record.clientId, record.account), k.throttle(record.account), k.diag(record.id),
        k.byClient(record.clientId), k.byAccount(record.clientId, record.account),
        record.id, JSON.stringify(record), String(o.now), String(o.throttle.max), String(o.throttle.windowSeconds * 1000),
        idem?.fingerprint ?? '', String(idem?.ttlSeconds ?? 0), k.diagPrefix, String(o.lockTtlSeconds),
      )) as [string, string];
      const [kind, value] = res;
      if (kind === 'created') return { kind, record };
      if (kind === 'replay') {
        const prev = await get(value);
        if (prev) return { kind, record: prev };
      }
      if (kind === 'mismatch' || kind === 'conflict') return { kind, id: value };
      if (kind === 'throttled') return { kind, retryAfterSeconds: Math.max(1, Math.ceil(Number(value) / 1000)) };
      throw new Error(`unexpected create outcome ${kind}`);
    },

    /** Writes an in-flight record (no expiry while queued or running). */
    async save(record: DiagnosticRecord): Promise<void> {
      await redis.set(k.diag(record.id), JSON.stringify(record));
    },

    /** Writes a finished record: expiry for it and its events, running-lock released. */
    async saveFinished(record: DiagnosticRecord): Promise<void> {
      const ttl = opts.resultTtlSeconds;
      await redis.multi()
        .set(k.diag(record.id), JSON.stringify(record), 'EX', ttl)
        .expire(k.events(record.id), ttl)
        .del(k.cancel(record.id))
        .eval(RELEASE_SCRIPT, 1, k.active(record.clientId, record.account), record.id)
        .exec();
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
