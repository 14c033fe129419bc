// Live progress as Server-Sent Events. Reads Redis only (the worker's events stream), so any API
// replica can serve any diagnostic: replay from the start or after Last-Event-ID (a stream entry
// id), then XREAD BLOCK on a connection of its own until `diagnostic.finished`.
// Each open stream holds a socket and a Redis connection: a client may hold SSE_MAX_PER_CLIENT
// of them on one API process, and closing the app ends them all (no hang on SIGTERM).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { duplicateRedis, type RedisClient } from '../../store/redis.js';
import type { Config } from '../../config/index.js';
import type { DiagnosticRecord } from '../../diagnostics/record.js';
import { createDiagnosticStore, TERMINAL } from '../../store/diagnostic-store.js';
import { storeKeys } from '../../store/keys.js';
import { storeTtls } from '../../store/ttl.js';
import { clientOf } from '../auth.js';
import { routeSchema, type OpenApiDocument } from '../openapi.js';
import { ownedRecord } from '../owned-record.js';
import { ProblemError } from '../problem.js';

export interface EventsRouteOptions {
  config: Config;
  redis: RedisClient;
  /** The contract: params, query and headers are validated against it. */
  doc: OpenApiDocument;
  /** Auth hook when the route is not registered inside the authenticated /v1 scope. */
  authenticate?: (req: FastifyRequest) => Promise<void>;
  /** Comment line sent when nothing happened for this long, ms (keeps proxies from timing out). */
  heartbeatMs?: number;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

export async function eventsRoutes(app: FastifyInstance, opts: EventsRouteOptions): Promise<void> {
  const store = createDiagnosticStore(opts.redis, opts.config.REDIS_PREFIX, storeTtls(opts.config));
  const keys = storeKeys(opts.config.REDIS_PREFIX);
  const heartbeatMs = opts.heartbeatMs ?? 15000;
  // A stream is never followed longer than a run can last (clients reconnect with Last-Event-ID).
  const maxMs = opts.config.DIAGNOSTIC_DEADLINE_MS * 2 + 60000;
  const maxPerClient = opts.config.SSE_MAX_PER_CLIENT;
  const perClient = new Map<string, number>();
  /** Ends one open stream now (the app is closing). */
  const open = new Set<() => void>();

  // preClose, not onClose: the server waits for open responses before onClose hooks run.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Params: { id: string }; Querystring: { lastEventId?: string } }>('/v1/diagnostics/:id/events', {
    ...(opts.authenticate ? { preHandler: opts.authenticate } : {}),
    schema: routeSchema(opts.doc, '/v1/diagnostics/{id}/events', 'get'),
  }, async (req, reply) => {
    const clientId = clientOf(req);
    const held = perClient.get(clientId) ?? 0;
    if (maxPerClient > 0 && held >= maxPerClient) {
      throw new ProblemError(429, 'TOO_MANY_STREAMS', `at most ${maxPerClient} event streams may be open at once; close one first`);
    }
    perClient.set(clientId, held + 1);
    try {
      const record = await ownedRecord(store, req);
      const header = req.headers['last-event-id'];
      const resume = (Array.isArray(header) ? header[0] : header) ?? req.query.lastEventId;
      const from = resume && STREAM_ID.test(resume) ? resume : '0-0';
      await stream(req, reply, record, from);
    } finally {
      const n = (perClient.get(clientId) ?? 1) - 1;
      if (n > 0) perClient.set(clientId, n);
      else perClient.delete(clientId);
    }
  });

  async function stream(req: FastifyRequest, reply: FastifyReply, record: DiagnosticRecord, from: string) {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const conn = duplicateRedis(opts.redis, { connectionName: 'exdiag-sse', maxRetriesPerRequest: 1, enableOfflineQueue: true });
    let live = true;
    const stop = () => {
      live = false;
      conn.disconnect();
    };
    // On shutdown the client is still there: end the response so it reconnects elsewhere.
    const end = () => {
      if (!live) return;
      live = false;
      res.end();
      conn.disconnect();
    };
    open.add(end);
    req.raw.on('close', stop);
    res.on('close', stop);
    const started = Date.now();
    let last = from;
    const terminal = TERMINAL.has(record.status);
    try {
      while (live && Date.now() - started < maxMs) {
        // A finished run's stream is complete: read what is there without waiting.
        const args = terminal ? ['COUNT', 100] : ['COUNT', 100, 'BLOCK', heartbeatMs];
        const answer = (await conn.xread(...(args as ['COUNT', number]), 'STREAMS', keys.events(record.id), last)) as
          Array<[string, Array<[string, string[]]>]> | null;
        if (!live) break;
        if (!answer) {
          // Nothing new: tell the client we are alive; end if the run finished without a final event
          // (stream expired, or a queued diagnostic was cancelled before any worker touched it).
          const now = await store.get(record.id);
          if (!now || TERMINAL.has(now.status)) {
            // Also when other events were seen: the record is saved just before its final event.
            if (now) send(res, undefined, 'diagnostic.finished', JSON.stringify(finishedData(now)));
            break;
          }
          res.write(': heartbeat\n\n');
          continue;
        }
        let finished = false;
        for (const [id, fields] of answer[0][1]) {
          last = id;
          const f = toMap(fields);
          send(res, id, f.type ?? 'message', f.data ?? '{}');
          if (f.type === 'diagnostic.finished') finished = true;
        }
        if (finished) break;
      }
    } catch (err) {
      if (live) req.log.warn({ diagnosticId: record.id, err: (err as Error).message }, 'event stream ended on a Redis error');
    } finally {
      open.delete(end);
      req.raw.off('close', stop);
      if (live) {
        live = false;
        res.end();
      }
      conn.disconnect();
    }
  }
}

function toMap(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]] = fields[i + 1];
  return out;
}

/** One SSE event; `data` is JSON (one line), so no line can break the framing. */
function send(res: NodeJS.WritableStream, id: string | undefined, event: string, data: string) {
  const oneLine = data.replace(/[\r\n]+/g, ' ');
  res.write(`${id ? `id: ${id}\n` : ''}event: ${event.replace(/[\r\n]/g, '')}\ndata: ${oneLine}\n\n`);
}

function finishedData(r: DiagnosticRecord) {
  return { id: r.id, status: r.status, verdict: r.verdict, primaryCause: r.primaryCause, causes: r.causes, durationMs: r.durationMs };
}
