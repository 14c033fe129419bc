// One delivery attempt per job run: sign with a fresh timestamp, POST through the egress-guarded
// agent, record the attempt, then tell BullMQ whether and when to try again. A worker that dies
// mid-attempt leaves a stalled job that BullMQ runs again: delivery is at least once.
// Each attempt is counted (DeliveryMetrics) and, with tracing on, is a CLIENT span whose
// traceparent header goes to the receiver.
import { UnrecoverableError, type Job } from 'bullmq';
import { request, type Dispatcher } from 'undici';
import type { ClientSettings } from '../config/index.js';
import { startSpan } from '../tracing.js';
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
  /** W3C traceparent of the diagnostic's run (tracing on); the attempt's span is its child. */
  traceparent?: string;
}

/** What an attempt came to, as counted: a retry planned, or no more (failed). */
export type DeliveryMetricOutcome = 'delivered' | 'retried' | 'failed' | 'gone' | 'refused' | 'skipped';
/** The receiver's answer class, or why there is none: no answer in time, a network error, or not sent at all. */
export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'network' | 'none';

/** Counts attempts (src/metrics.ts registerWebhookMetrics); `seconds` when a request was sent. */
export interface DeliveryMetrics {
  attempt(outcome: DeliveryMetricOutcome, statusClass: StatusClass, seconds?: number): void;
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
  metrics?: DeliveryMetrics;
}

export function createDeliveryProcessor(d: ProcessorDeps) {
  return async (job: Job<DeliveryJobData>): Promise<void> => {
    const j = job.data;
    const attempt = job.attemptsMade + 1;
    const base = { messageId: j.messageId, event: j.event, attempt, trigger: j.trigger, url: j.url };
    const log = d.log.child({ diagnosticId: j.diagnosticId, webhook: j.messageId, attempt, endpoint: safeOrigin(j.url) });
    const span = startSpan('webhook.deliver', {
      kind: 'client', parent: j.traceparent,
      attributes: {
        'http.request.method': 'POST', 'server.address': safeHost(j.url), 'exdiag.diagnostic.id': j.diagnosticId, 'exdiag.client.id': j.clientId,
        'exdiag.webhook.id': j.messageId, 'exdiag.webhook.event': j.event, 'exdiag.webhook.attempt': attempt, 'exdiag.webhook.trigger': j.trigger,
      },
    });
    const record = async (a: Omit<DeliveryAttempt, keyof typeof base | 'at'>, counted: DeliveryMetricOutcome, statusClass: StatusClass, seconds?: number) => {
      d.metrics?.attempt(counted, statusClass, seconds);
      if (span) {
        span.set({ 'exdiag.webhook.outcome': counted, 'http.response.status_code': a.status });
        if (counted !== 'delivered') span.fail(a.error ?? counted);
      }
      await d.deliveries.append(j.diagnosticId, { ...base, at: new Date(d.now()).toISOString(), ...a });
    };
    try {
      return await attemptOnce();
    } finally {
      span?.end();
    }

    async function attemptOnce(): Promise<void> {
      const gone = await d.deliveries.goneSince(j.clientId, j.url);
      if (gone) {
        await record({ outcome: 'gone', error: `not sent: this endpoint answered 410 Gone on ${gone}; no more events are sent to it (a re-send on request tries again)` }, 'gone', 'none');
        throw new UnrecoverableError('endpoint is gone');
      }
      let headers;
      try {
        headers = signWebhook(d.clients.get(j.clientId)?.webhookSecrets ?? [], j.messageId, new Date(d.now()), j.body);
      } catch (err) {
        const why = err instanceof WebhookSecretError ? err.message : 'cannot sign the webhook';
        await record({ outcome: 'skipped', error: `not sent: ${why}` }, 'skipped', 'none');
        throw new UnrecoverableError(why);
      }

      const t0 = performance.now();
      let status: number | undefined;
      let retryAfterMs: number | undefined;
      let error: string | undefined;
      let failure: StatusClass | undefined;
      try {
        const res = await request(j.url, {
          method: 'POST',
          body: j.body,
          // traceparent (W3C Trace Context) names this attempt's span, only while tracing is on.
          headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'exchange-diagnostics-webhooks/1', ...(span ? { traceparent: span.traceparent } : {}) },
          dispatcher: d.agent,
          signal: AbortSignal.timeout(d.timeoutMs),
        });
        status = res.statusCode;
        retryAfterMs = parseRetryAfter(res.headers['retry-after'], d.now());
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      } catch (err) {
        const e = err as Error & { code?: string; cause?: Error & { code?: string } };
        if (e.name === 'EgressForbiddenError' || e.cause?.name === 'EgressForbiddenError') {
          await record({ outcome: 'refused', ms: ms(t0), error: (e.name === 'EgressForbiddenError' ? e : e.cause!).message }, 'refused', 'none');
          log.warn({ code: 'WEBHOOK_URL_FORBIDDEN' }, 'webhook refused by the egress policy');
          throw new UnrecoverableError('egress refused');
        }
        failure = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : 'network';
        error = failure === 'timeout' ? `no answer within ${d.timeoutMs} ms` : describe(e);
      }
      const seconds = (performance.now() - t0) / 1000;
      const elapsed = ms(t0);
      const statusClass: StatusClass = failure ?? (status !== undefined && status >= 200 && status < 600 ? `${Math.floor(status / 100)}xx` as StatusClass : 'network');
      const outcome = classifyStatus(status, retryAfterMs);
      if (outcome.kind === 'delivered') {
        await record({ outcome: 'delivered', status, ms: elapsed }, 'delivered', statusClass, seconds);
        log.info({ status, ms: elapsed }, 'webhook delivered');
        return;
      }
      if (outcome.kind === 'stop') {
        await d.deliveries.markGone(j.clientId, j.url, j.diagnosticId, new Date(d.now()).toISOString());
        await record({ outcome: 'gone', status, ms: elapsed, error: 'the endpoint answered 410 Gone: no more attempts, and later events to it are not sent' }, 'gone', statusClass, seconds);
        log.warn({ status }, 'webhook endpoint gone');
        throw new UnrecoverableError('410 Gone');
      }
      error ??= status !== undefined && status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
      const delay = retryDelayMs(d.schedule, attempt, outcome.retryAfterMs);
      await record({
        outcome: 'failed', status, ms: elapsed,
        error: delay === undefined ? `${error}; no more retries` : error,
        nextRetryAt: delay === undefined ? undefined : new Date(d.now() + delay).toISOString(),
      }, delay === undefined ? 'failed' : 'retried', statusClass, seconds);
      log.warn({ status, err: error, nextInMs: delay }, 'webhook attempt failed');
      if (delay === undefined) throw new UnrecoverableError(error);
      throw new DeliveryRetryError(error, delay);
    }
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

/** The endpoint's host only: paths and queries of webhook URLs may hold tokens. */
function safeHost(url: string): string {
  try { return new URL(url).hostname; } catch { return 'invalid-url'; }
}

function safeOrigin(url: string): string {
  try { return new URL(url).origin; } catch { return 'invalid-url'; }
}
