// The record of every webhook attempt, per diagnostic, and the endpoints that answered 410 Gone.
// Support reads it (GET /v1/diagnostics/{id}/deliveries) to answer "did you send it?".
import type { Redis } from 'ioredis';

export type DeliveryOutcome = 'delivered' | 'failed' | 'gone' | 'refused' | 'skipped';

export interface DeliveryAttempt {
  /** Standard Webhooks message id (the same on every attempt of one event). */
  messageId: string;
  event: string;
  /** 1-based attempt number within this delivery (a re-send starts again at 1). */
  attempt: number;
  trigger: 'event' | 'resend';
  url: string;
  at: string;
  outcome: DeliveryOutcome;
  /** HTTP status of the receiver's answer, when there was one. */
  status?: number;
  ms?: number;
  /** Why it did not count as delivered (never contains a secret). */
  error?: string;
  /** When the next attempt is due (absent when none is planned). */
  nextRetryAt?: string;
}

export function webhookKeys(prefix: string) {
  return {
    deliveries: (diagnosticId: string) => `${prefix}:deliveries:${diagnosticId}`,
    /** hash: endpoint URL → JSON { at, diagnosticId } of its 410 Gone answer. */
    gone: `${prefix}:webhooks:gone`,
  };
}

export interface DeliveryLog {
  append(diagnosticId: string, a: DeliveryAttempt): Promise<void>;
  list(diagnosticId: string): Promise<DeliveryAttempt[]>;
  markGone(url: string, diagnosticId: string, at: string): Promise<void>;
  goneSince(url: string): Promise<string | undefined>;
  clearGone(url: string): Promise<void>;
}

export function createDeliveryLog(redis: Redis, prefix: string, ttlSeconds: number): DeliveryLog {
  const k = webhookKeys(prefix);
  return {
    async append(id, a) {
      await redis.multi().rpush(k.deliveries(id), JSON.stringify(a)).expire(k.deliveries(id), ttlSeconds).exec();
    },
    async list(id) {
      return (await redis.lrange(k.deliveries(id), 0, -1)).map((s) => JSON.parse(s) as DeliveryAttempt);
    },
    async markGone(url, diagnosticId, at) {
      await redis.hset(k.gone, url, JSON.stringify({ at, diagnosticId }));
    },
    async goneSince(url) {
      const v = await redis.hget(k.gone, url);
      return v ? (JSON.parse(v) as { at: string }).at : undefined;
    },
    async clearGone(url) {
      await redis.hdel(k.gone, url);
    },
  };
}
