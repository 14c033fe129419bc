// The human report of one diagnostic: Markdown (tickets), HTML (a page or, with ?fragment=true,
// an <article> for the support page) or plain text, in French or English.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RedisClient } from '../../store/redis.js';
import type { Config } from '../../config/index.js';
import { negotiateLocale } from '../../diagnostics/remediation.js';
import type { Locale } from '../../diagnostics/types.js';
import { REPORT_MEDIA_TYPES, renderReport, type ReportFormat } from '../../report/render.js';
import { createDiagnosticStore } from '../../store/diagnostic-store.js';
import { storeTtls } from '../../store/ttl.js';
import { routeSchema, type OpenApiDocument } from '../openapi.js';
import { ProblemError } from '../problem.js';
import { ownedRecord } from '../owned-record.js';

export interface ReportRouteOptions {
  config: Config;
  redis: RedisClient;
  /** The contract: params and query are validated against it. */
  doc: OpenApiDocument;
  /** Auth hook when the route is not registered inside the authenticated /v1 scope. */
  authenticate?: (req: FastifyRequest) => Promise<void>;
}

interface Query { format?: ReportFormat; locale?: Locale; fragment?: boolean }

const BY_MEDIA: Array<[string, ReportFormat]> = [['text/markdown', 'markdown'], ['text/x-markdown', 'markdown'], ['text/html', 'html'], ['text/plain', 'text']];

/** Picks a format from Accept (q-values honoured); undefined when Accept excludes all three. */
export function negotiateFormat(accept: string | undefined): ReportFormat | undefined {
  if (!accept || !accept.trim()) return 'markdown';
  const ranges = accept.split(',').map((part, i) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    return { type, q: Number.isFinite(q) ? q : 0, i };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    const exact = BY_MEDIA.find(([m]) => m === r.type);
    if (exact) return exact[1];
    if (r.type === '*/*' || r.type === 'text/*') return 'markdown';
  }
  return undefined;
}

export async function reportRoutes(app: FastifyInstance, opts: ReportRouteOptions): Promise<void> {
  const store = createDiagnosticStore(opts.redis, opts.config.REDIS_PREFIX, storeTtls(opts.config));

  app.get<{ Params: { id: string }; Querystring: Query }>('/v1/diagnostics/:id/report', {
    ...(opts.authenticate ? { preHandler: opts.authenticate } : {}),
    schema: routeSchema(opts.doc, '/v1/diagnostics/{id}/report', 'get'),
  }, async (req, reply) => {
    const record = await ownedRecord(store, req);
    const format = req.query.format ?? negotiateFormat(req.headers.accept);
    if (!format) throw new ProblemError(406, 'NOT_ACCEPTABLE', 'the report is available as text/markdown, text/html or text/plain (or use ?format=)');
    const locale = req.query.locale ?? record.locale ?? negotiateLocale(undefined, req.headers['accept-language']);
    const body = renderReport(record, { format, locale, fragment: req.query.fragment === true });
    reply.header('vary', 'Accept, Accept-Language').header('content-language', locale).header('x-content-type-options', 'nosniff');
    // Finished reports do not change; running ones do.
    reply.header('cache-control', record.finishedAt ? 'private, max-age=60' : 'no-store');
    if (format === 'html') reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'");
    return reply.type(REPORT_MEDIA_TYPES[format]).send(body);
  });
}
