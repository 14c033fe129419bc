// RFC 9457 problems with a stable `code`, and the one error handler: whatever goes wrong, the
// client gets problem+json; malformed input is a 4xx, never a 500; internals never leak.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemCode } from './problem-codes.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
  diagnosticId?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** Throw from a handler; the error handler renders it. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    detail: string,
    readonly extra: Partial<Pick<ProblemBody, 'errors' | 'diagnosticId'>> & { headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, p: ProblemError): FastifyReply {
  const body: ProblemBody = {
    type: `https://exchange-diagnostics.dev/problems/${p.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[p.status] ?? 'Error',
    status: p.status,
    code: p.code,
    detail: p.message,
    instance: req.url.split('?')[0],
    ...(p.extra.errors ? { errors: p.extra.errors } : {}),
    ...(p.extra.diagnosticId ? { diagnosticId: p.extra.diagnosticId } : {}),
  };
  for (const [h, v] of Object.entries(p.extra.headers ?? {})) reply.header(h, v);
  return reply.code(p.status).type('application/problem+json').send(body);
}

interface AjvIssue { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> }

function fieldsOf(err: FastifyError): Array<{ field: string; message: string }> {
  const issues = (err.validation ?? []) as AjvIssue[];
  const part = err.validationContext ?? 'body';
  return issues.map((i) => {
    let field = (i.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    if (i.keyword === 'additionalProperties') field = [field, String(i.params?.additionalProperty)].filter(Boolean).join('.');
    if (i.keyword === 'required') field = [field, String(i.params?.missingProperty)].filter(Boolean).join('.');
    return { field: field ? `${part}.${field}` : part, message: i.message ?? 'is invalid' };
  });
}

/** Maps fastify's own errors (FST_*) and ours onto problems. */
export function toProblem(err: FastifyError | ProblemError): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err.validation) {
    const errors = fieldsOf(err);
    return new ProblemError(400, 'VALIDATION_FAILED', `invalid request: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError(400, 'INVALID_JSON', 'the request body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ProblemError(400, 'INVALID_JSON', 'the request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError(413, 'BODY_TOO_LARGE', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ProblemError(400, 'INVALID_CONTENT_LENGTH', 'Content-Length does not match the body');
  }
  // JSON.parse errors surface as SyntaxError with statusCode 400.
  if (err instanceof SyntaxError || err.name === 'SyntaxError') return new ProblemError(400, 'INVALID_JSON', 'the request body is not valid JSON');
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ProblemError(status, 'BAD_REQUEST', err.message);
  return new ProblemError(500, 'INTERNAL_ERROR', 'an unexpected error occurred; it has been logged');
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const p = toProblem(err);
    if (p.status >= 500) req.log.error({ err: { name: err.name, message: err.message, stack: err.stack, code: err.code } }, 'request failed');
    return sendProblem(reply, req, p);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, req, new ProblemError(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
}
