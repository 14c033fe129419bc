// One access line per request ("request completed"), as production services log, instead of
// fastify's two (incoming + completed). The line is built only from known-safe fields (method,
// URL, route, status, time, request id, client id, diagnostic id): no header, body or credential
// is ever handed to it, so it is written by a logger without redaction, which is what made a log
// line cost as much as the rest of a request (pino's redaction with wildcard paths parses every
// path for every key of every line). Everything else still goes through the process logger and its
// redaction (logging.ts). LOG_LEVEL keeps its meaning: the line is written at `info` when the
// process logger has `info` enabled; at `debug` the incoming line comes back too.
// fastify's LogController (fastify ≥ 5.12, docs/Reference/Server.md "logController") is the
// documented way to replace its request lines.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type Logger } from 'pino';

/** What a route adds to its access line (set on the request). */
export interface AccessFields {
  diagnosticId?: string;
  /** Start planned later by the account's lockout budget, ms. */
  delayMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    accessFields?: AccessFields;
  }
}

/** The access line's writer: same destination, bindings, time and message key as `logger`, no redaction. */
function accessWriter(logger: Logger): Logger {
  const l = logger as Logger & Record<symbol, unknown>;
  const stream = l[pino.symbols.streamSym] as pino.DestinationStream | undefined;
  const time = l[pino.symbols.timeSym];
  const messageKey = l[pino.symbols.messageKeySym];
  return pino({
    level: 'trace',
    base: typeof logger.bindings === 'function' ? logger.bindings() : {},
    ...(typeof time === 'function' ? { timestamp: time as () => string } : {}),
    ...(typeof messageKey === 'string' ? { messageKey } : {}),
  }, stream);
}

export class AccessLogController extends LogController {
  private readonly out: Logger;

  constructor(private readonly logger: Logger) {
    super({});
    this.out = accessWriter(logger);
  }

  override incomingRequest(request: FastifyRequest): void {
    if (this.logger.isLevelEnabled('debug')) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // An error of the reply itself (rare: the stream broke): fastify's line, through the redacting logger.
    if (error) return super.requestCompleted(error, request, reply);
    if (!this.logger.isLevelEnabled('info')) return;
    const raw = request.raw;
    const a = request.accessFields;
    // Only strings and numbers taken from known places: nothing here can hold a secret.
    this.out.info({
      reqId: request.id,
      req: { method: request.method, url: raw.url, host: request.host, remoteAddress: request.ip, remotePort: raw.socket?.remotePort },
      route: request.routeOptions.url,
      res: { statusCode: reply.statusCode },
      responseTime: reply.elapsedTime,
      ...(request.clientId ? { clientId: request.clientId } : {}),
      ...(a?.diagnosticId ? { diagnosticId: a.diagnosticId } : {}),
      ...(a?.delayMs ? { delayMs: a.delayMs } : {}),
    }, 'request completed');
  }
}
