// The record of every webhook attempt, per diagnostic, and the endpoints that answered 410 Gone.
// Support reads it (GET /v1/diagnostics/{id}/deliveries) to answer "did you send it?".
// A 410 mark belongs to one client: another client's re-send to the same URL does not clear it.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../store/redis.js';

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

/**
 * How long a 410 mark stops deliveries, seconds. Then one attempt per event asks the endpoint
 * again (and marks it again if it still answers 410).
 */
export const GONE_TTL_SECONDS = 30 * 24 * 3600;

/** URLs may carry tokens: keys hold only a digest. */
const urlDigest = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 32);

export function webhookKeys(prefix: string) {
  return {
    /** list: the attempts of one diagnostic; expires with the result. */
    deliveries: (diagnosticId: string) => `${prefix}:deliveries:${diagnosticId}`,
    /** string: JSON { at, diagnosticId } of the 410 Gone answer a client's endpoint gave. */
    gone: (clientId: string, url: string) => `${prefix}:gone:${clientId}:${urlDigest(url)}`,
  };
}

export interface DeliveryLog {
  append(diagnosticId: string, a: DeliveryAttempt): Promise<void>;
  list(diagnosticId: string): Promise<DeliveryAttempt[]>;
  markGone(clientId: string, url: string, diagnosticId: string, at: string): Promise<void>;
  goneSince(clientId: string, url: string): Promise<string | undefined>;
  clearGone(clientId: string, url: string): Promise<void>;
}

export function createDeliveryLog(redis: RedisClient, prefix: string, ttlSeconds: number): DeliveryLog {
  const k = webhookKeys(prefix);
  return {
    async append(id, a) {
      await redis.multi().rpush(k.deliveries(id), JSON.stringify(a)).expire(k.deliveries(id), ttlSeconds).exec();
    },
    async list(id) {
      return (await redis.lrange(k.deliveries(id), 0, -1)).map((s) => JSON.parse(s) as DeliveryAttempt);
    },
    async markGone(clientId, url, diagnosticId, at) {
      await redis.set(k.gone(clientId, url), JSON.stringify({ at, diagnosticId }), 'EX', GONE_TTL_SECONDS);
    },
    async goneSince(clientId, url) {
      const v = await redis.get(k.gone(clientId, url));
      return v ? (JSON.parse(v) as { at: string }).at : undefined;
    },
    async clearGone(clientId, url) {
      await redis.del(k.gone(clientId, url));
    },
  };
}
