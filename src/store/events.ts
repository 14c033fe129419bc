// The progress stream of one diagnostic ({prefix}:events:{id}): what SSE and pollers replay.
// Bounded in length and in time, like its record: in flight while the run goes on, then the
// result TTL from the final event on.
import type { RedisClient } from './redis.js';
import { storeKeys } from './keys.js';
import type { StoreTtls } from './ttl.js';

export type DiagnosticEventType = 'check.started' | 'check.finished' | 'diagnostic.finished';

/** Bound on a stream's length: ten checks, a few retries. */
export const MAX_EVENTS = 1000;

export function createEventWriter(redis: RedisClient, prefix: string, opts: StoreTtls) {
  const k = storeKeys(prefix);
  return {
    async append(id: string, type: DiagnosticEventType, data: unknown): Promise<string> {
      const key = k.events(id);
      const m = redis.multi().xadd(key, 'MAXLEN', '~', String(MAX_EVENTS), '*', 'type', type, 'data', JSON.stringify(data));
      // The final event starts the result TTL; until then, a stream of a run whose record never
      // finished must not live forever either.
      if (type === 'diagnostic.finished') m.expire(key, opts.resultTtlSeconds);
      else m.expire(key, opts.inFlightTtlSeconds, 'NX');
      const [[, entry]] = (await m.exec()) as [[Error | null, string]];
      return entry;
    },
  };
}

export type EventWriter = ReturnType<typeof createEventWriter>;
