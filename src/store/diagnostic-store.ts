// Diagnostic records in Redis: JSON at {prefix}:diag:{id}, per-client and per-account indexes,
// the running-lock, the throttle and idempotency keys. Every one of them expires (ttl.ts).
// New records are written by admission.ts, in one transaction with their job.
import type { RedisClient } from './redis.js';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { RELEASE_SCRIPT } from './create-script.js';
import { storeKeys } from './keys.js';
import type { StoreTtls } from './ttl.js';

export interface ListPage {
  items: DiagnosticRecord[];
  nextCursor?: string;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function createDiagnosticStore(redis: RedisClient, prefix: string, opts: StoreTtls) {
  const k = storeKeys(prefix);

  const get = async (id: string): Promise<DiagnosticRecord | undefined> => {
    const raw = await redis.get(k.diag(id));
    return raw ? (JSON.parse(raw) as DiagnosticRecord) : undefined;
  };

  return {
    keys: k,
    get,

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
