// The progress stream of one diagnostic ({prefix}:events:{id}): what SSE and pollers replay.
import type { Redis } from 'ioredis';
import { storeKeys } from './keys.js';

export type DiagnosticEventType = 'check.started' | 'check.finished' | 'diagnostic.finished';

/** Bound on a stream's length: ten checks, a few retries. */
const MAX_EVENTS = 1000;

export function createEventWriter(redis: Redis, prefix: string, opts: { activeTtlSeconds: number }) {
  const k = storeKeys(prefix);
  return {
    async append(id: string, type: DiagnosticEventType, data: unknown): Promise<string> {
      const key = k.events(id);
      const [[, entry]] = (await redis.multi()
        .xadd(key, 'MAXLEN', '~', String(MAX_EVENTS), '*', 'type', type, 'data', JSON.stringify(data))
        // A stream of a run whose record never finished must not live forever.
        .expire(key, opts.activeTtlSeconds, 'NX')
        .exec()) as [[Error | null, string]];
      return entry;
    },
  };
}

export type EventWriter = ReturnType<typeof createEventWriter>;
