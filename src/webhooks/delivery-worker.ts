// One delivery attempt per job run: sign with a fresh timestamp, POST through the egress-guarded
// agent, record the attempt, then tell BullMQ whether and when to try again. A worker that dies
// mid-attempt leaves a stalled job that BullMQ runs again: delivery is at least once.
import { UnrecoverableError, type Job } from 'bullmq';
import { request, type Dispatcher } from 'undici';
import type { ClientSettings } from '../config/index.js';
import type { DeliveryAttempt, DeliveryLog } from './delivery-log.js';
import { classifyStatus, parseRetryAfter, retryDelayMs } from './schedule.js';
import { signWebhook, WebhookSecretError } from './signing.js';

export const WEBHOOK_QUEUE = 'webhooks';

/** The part of a pino (or fastify) logger used here. */
export interface WebhookLogger {
  child(bindings: Record<string, unknown>): WebhookLogger;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliveryJobData {
  diagnosticId: string;
  clientId: string;
  url: string;
  messageId: string;
  event: string;
  /** The exact JSON body: identical on every attempt, so receivers can de-duplicate. */
  body: string;
  trigger: 'event' | 'resend';
}

/** Thrown to make BullMQ retry; `delayMs` is what the backoff strategy returns. */
export class DeliveryRetryError extends Error {
  override name = 'DeliveryRetryError';
  constructor(message: string, readonly delayMs: number) {
    super(message);
  }
}

export interface ProcessorDeps {
  clients: ReadonlyMap<string, ClientSettings>;
  schedule: readonly number[];
  timeoutMs: number;
  agent: Dispatcher;
  deliveries: DeliveryLog;
  log: WebhookLogger;
  now(): number;
}

export function createDeliveryProcessor(d: ProcessorDeps) {
  return async (job: Job<DeliveryJobData>): Promise<void> => {
    const j = job.data;
    const attempt = job.attemptsMade + 1;
    const base = { messageId: j.messageId, event: j.event, attempt, trigger: j.trigger, url: j.url };
    const log = d.log.child({ diagnosticId: j.diagnosticId, webhook: j.messageId, attempt, endpoint: safeOrigin(j.url) });
    const record = (a: Omit<DeliveryAttempt, keyof typeof base | 'at'>) =>
      d.deliveries.append(j.diagnosticId, { ...base, at: new Date(d.now()).toISOString(), ...a });

    const gone = await d.deliveries.goneSince(j.clientId, j.url);
    if (gone) {
      await record({ outcome: 'gone', error: `not sent: this endpoint answered 410 Gone on ${gone}; no more events are sent to it (a re-send on request tries again)` });
      throw new UnrecoverableError('endpoint is gone');
    }
    let headers;
    try {
      headers = signWebhook(d.clients.get(j.clientId)?.webhookSecrets ?? [], j.messageId, new Date(d.now()), j.body);
    } catch (err) {
      const why = err instanceof WebhookSecretError ? err.message : 'cannot sign the webhook';
      await record({ outcome: 'skipped', error: `not sent: ${why}` });
      throw new UnrecoverableError(why);
    }

    const t0 = performance.now();
    let status: number | undefined;
    let retryAfterMs: number | undefined;
    let error: string | undefined;
    try {
      const res = await request(j.url, {
        method: 'POST',
        body: j.body,
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'exchange-diagnostics-webhooks/1' },
        dispatcher: d.agent,
        signal: AbortSignal.timeout(d.timeoutMs),
      });
      status = res.statusCode;
      retryAfterMs = parseRetryAfter(res.headers['retry-after'], d.now());
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    } catch (err) {
      const e = err as Error & { code?: string; cause?: Error & { code?: string } };
      if (e.name === 'EgressForbiddenError' || e.cause?.name === 'EgressForbiddenError') {
        await record({ outcome: 'refused', ms: ms(t0), error: (e.name === 'EgressForbiddenError' ? e : e.cause!).message });
        log.warn({ code: 'WEBHOOK_URL_FORBIDDEN' }, 'webhook refused by the egress policy');
        throw new UnrecoverableError('egress refused');
      }
      error = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${d.timeoutMs} ms` : describe(e);
    }
    const elapsed = ms(t0);
    const outcome = classifyStatus(status, retryAfterMs);
    if (outcome.kind === 'delivered') {
      await record({ outcome: 'delivered', status, ms: elapsed });
      log.info({ status, ms: elapsed }, 'webhook delivered');
      return;
    }
    if (outcome.kind === 'stop') {
      await d.deliveries.markGone(j.clientId, j.url, j.diagnosticId, new Date(d.now()).toISOString());
      await record({ outcome: 'gone', status, ms: elapsed, error: 'the endpoint answered 410 Gone: no more attempts, and later events to it are not sent' });
      log.warn({ status }, 'webhook endpoint gone');
      throw new UnrecoverableError('410 Gone');
    }
    error ??= status !== undefined && status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
    const delay = retryDelayMs(d.schedule, attempt, outcome.retryAfterMs);
    await record({
      outcome: 'failed', status, ms: elapsed,
      error: delay === undefined ? `${error}; no more retries` : error,
      nextRetryAt: delay === undefined ? undefined : new Date(d.now() + delay).toISOString(),
    });
    log.warn({ status, err: error, nextInMs: delay }, 'webhook attempt failed');
    if (delay === undefined) throw new UnrecoverableError(error);
    throw new DeliveryRetryError(error, delay);
  };
}

/** BullMQ backoff strategy: the delay the processor computed (schedule and Retry-After). */
export function deliveryBackoff(schedule: readonly number[]) {
  return (attemptsMade: number, _type?: string, err?: Error): number =>
    err instanceof DeliveryRetryError ? err.delayMs : retryDelayMs(schedule, Math.max(1, attemptsMade)) ?? 0;
}

const ms = (t0: number) => Math.round(performance.now() - t0);

function describe(e: Error & { code?: string; cause?: Error & { code?: string } }): string {
  const inner = e.cause && e.cause !== e ? e.cause : undefined;
  const code = e.code ?? inner?.code;
  return `${code ? `${code}: ` : ''}${inner?.message ?? e.message}`.slice(0, 300);
}

function safeOrigin(url: string): string {
  try { return new URL(url).origin; } catch { return 'invalid-url'; }
}
