// Per-client request rate of POST /v1/diagnostics, counted in Redis (every API process counts
// together) under the deployment's prefix, in @fastify/rate-limit's fixed window and key. The
// create script counts a POST that reaches it (no round trip of its own); a POST refused before
// (invalid body, policy) is counted by the route's error handler on its way out, so every
// authenticated POST counts, as with the plugin. Over the limit: 429 RATE_LIMITED + Retry-After,
// and the x-ratelimit-* headers on every counted answer. Redis down: refused (503), never unlimited.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ClientSettings } from '../config/index.js';
import type { RateCount } from '../store/admission.js';
import { RATE_COUNT_SCRIPT } from '../store/create-script.js';
import { storeKeys } from '../store/keys.js';
import type { RedisClient } from '../store/redis.js';
import { ProblemError } from './problem.js';

const COMMAND = 'exdiagRateCount';

export interface ClientRate {
  max: number;
  windowMs: number;
}

export function createClientRateLimit(redis: RedisClient, prefix: string, clients: ReadonlyMap<string, ClientSettings>) {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: RATE_COUNT_SCRIPT });
  const keys = storeKeys(prefix);
  /** Requests already counted (by the script or here): never twice. */
  const counted = new WeakSet<FastifyRequest>();
  /**
   * Clients this process saw over their limit, until their window ends: their POSTs are counted
   * (and refused) before the create step, so a flood writes no job that must then be removed.
   */
  const limitedUntil = new Map<string, number>();

  const limitOf = (clientId: string): ClientRate | undefined => {
    const r = clients.get(clientId)?.policy.rateLimit;
    return r ? { max: r.max, windowMs: r.windowSeconds * 1000 } : undefined;
  };

  /** Sets the headers of a counted request; throws RATE_LIMITED when it is over the limit. */
  function apply(reply: FastifyReply, clientId: string, limit: ClientRate, c: RateCount): void {
    const seconds = Math.max(0, Math.ceil(c.ttlMs / 1000));
    const over = c.count > limit.max;
    reply.header('x-ratelimit-limit', limit.max)
      .header('x-ratelimit-remaining', Math.max(0, limit.max - c.count))
      .header('x-ratelimit-reset', seconds);
    if (!over) {
      limitedUntil.delete(clientId);
      return;
    }
    limitedUntil.set(clientId, Date.now() + c.ttlMs);
    const retry = Math.max(1, seconds);
    throw new ProblemError(429, 'RATE_LIMITED', `more than ${limit.max} new diagnostics in this client's window; retry in ${retry} s`,
      { headers: { 'retry-after': String(retry) } });
  }

  /** Counts one request on its own (one round trip). */
  async function countAlone(req: FastifyRequest, reply: FastifyReply, clientId: string, limit: ClientRate): Promise<void> {
    counted.add(req);
    let c: RateCount;
    try {
      const [count, ttlMs] = await (redis as unknown as Record<string, (...a: unknown[]) => Promise<[number, number]>>)[COMMAND](keys.rateLimit(clientId), limit.windowMs);
      c = { count, ttlMs };
    } catch {
      throw new ProblemError(503, 'QUEUE_UNAVAILABLE', 'the request rate cannot be checked (Redis does not answer); retry later');
    }
    apply(reply, clientId, limit, c);
  }

  return {
    limitOf,

    /**
     * Before the create step: the limit the create script must count this request against, or
     * undefined (no limit, or counted here already because the client was seen over it).
     */
    async beforeCreate(req: FastifyRequest, reply: FastifyReply, clientId: string): Promise<ClientRate | undefined> {
      const limit = limitOf(clientId);
      if (!limit) return undefined;
      const until = limitedUntil.get(clientId);
      if (until !== undefined && until > Date.now()) {
        await countAlone(req, reply, clientId, limit);
        return undefined;
      }
      counted.add(req);
      return limit;
    },

    /** After the create step counted the request: headers, or RATE_LIMITED. */
    afterCreate(reply: FastifyReply, clientId: string, limit: ClientRate | undefined, c: RateCount | undefined): void {
      if (limit && c) apply(reply, clientId, limit, c);
    },

    /** The route's error handler: counts an authenticated POST refused before the create step, then lets the app's handler answer. */
    async errorHandler(error: FastifyError | ProblemError, req: FastifyRequest, reply: FastifyReply): Promise<never> {
      const clientId = req.clientId;
      const limit = clientId ? limitOf(clientId) : undefined;
      if (clientId && limit && !counted.has(req)) await countAlone(req, reply, clientId, limit);
      throw error;
    },
  };
}

export type ClientRateLimit = ReturnType<typeof createClientRateLimit>;
