// The webhook seam: the worker calls enqueueFor(record) when a diagnostic ends, the API lists
// and re-sends deliveries, the worker process runs startWorker(). Delivery has its own BullMQ
// queue so that a slow or dead receiver never holds up diagnostics.
import { Queue, Worker } from 'bullmq';
import type { RedisClient } from '../store/redis.js';
import type { Config } from '../config/index.js';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { createDeliveryLog, type DeliveryAttempt, type DeliveryLog } from './delivery-log.js';
import { createDeliveryProcessor, deliveryBackoff, WEBHOOK_QUEUE, type DeliveryJobData, type DeliveryMetrics, type WebhookLogger } from './delivery-worker.js';
import { createEgressAgent, egressPolicy, validateWebhookUrl } from './egress.js';
import { buildPayload, eventFor, messageIdFor } from './payload.js';
import { currentTraceparent } from '../tracing.js';

export interface WebhookDispatcherOptions {
  config: Config;
  /** ioredis connection (BullMQ needs `maxRetriesPerRequest: null` for the worker). */
  connection: RedisClient;
  log: WebhookLogger;
  /** Deliveries run at once by startWorker() (default 20). */
  concurrency?: number;
  /** Name resolution for deliveries; default the system resolver (endpoints are on the internet). */
  resolve?: Parameters<typeof createEgressAgent>[0]['resolve'];
  now?: () => number;
  /** Counts this process's attempts (src/metrics.ts registerWebhookMetrics; default: not counted). */
  metrics?: DeliveryMetrics;
}

export type ResendResult = { queued: true; url: string } | { queued: false; reason: string };

export interface WebhookDispatcher {
  /** Queues the event of a finished record (no-op while running or without a URL). */
  enqueueFor(record: DiagnosticRecord): Promise<void>;
  /** Sends the record's final event again, on request (clears its client's 410 mark for the URL). */
  resend(record: DiagnosticRecord): Promise<ResendResult>;
  deliveries(diagnosticId: string): Promise<DeliveryAttempt[]>;
  startWorker(): Worker<DeliveryJobData>;
  close(): Promise<void>;
}

export function createWebhookDispatcher(opts: WebhookDispatcherOptions): WebhookDispatcher {
  const { config, connection } = opts;
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ component: 'webhooks' });
  const deliveryLog: DeliveryLog = createDeliveryLog(connection, config.REDIS_PREFIX, config.RESULT_TTL_SECONDS);
  const queue = new Queue<DeliveryJobData>(WEBHOOK_QUEUE, {
    connection,
    prefix: config.REDIS_PREFIX,
    defaultJobOptions: {
      attempts: config.WEBHOOK_RETRY_SCHEDULE.length + 1,
      backoff: { type: 'webhook' },
      removeOnComplete: { age: 3600, count: 10000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  let worker: Worker<DeliveryJobData> | undefined;
  let agent: ReturnType<typeof createEgressAgent> | undefined;

  const target = (record: DiagnosticRecord) => record.webhookUrl ?? config.clients.get(record.clientId)?.webhookUrl;

  async function enqueue(record: DiagnosticRecord, trigger: 'event' | 'resend'): Promise<ResendResult> {
    const event = eventFor(record);
    if (!event) return { queued: false, reason: `the diagnostic is ${record.status}: webhooks are sent when it ends` };
    const url = target(record);
    if (!url) return { queued: false, reason: 'no webhook URL: neither the request nor the client settings name one' };
    const messageId = messageIdFor(record, event);
    const verdict = validateWebhookUrl(url, config);
    if (!verdict.ok) {
      await deliveryLog.append(record.id, {
        messageId, event, attempt: 0, trigger, url, at: new Date(now()).toISOString(), outcome: 'refused', error: `not sent: ${verdict.reason}`,
      });
      opts.metrics?.attempt('refused', 'none');
      return { queued: false, reason: verdict.reason };
    }
    if (trigger === 'resend') await deliveryLog.clearGone(record.clientId, url);
    const body = JSON.stringify(buildPayload(record, event, new Date(now())));
    // The run's trace (tracing on, enqueued by the worker's finisher) goes on to the delivery.
    const traceparent = currentTraceparent();
    const data: DeliveryJobData = { diagnosticId: record.id, clientId: record.clientId, url, messageId, event, body, trigger, ...(traceparent ? { traceparent } : {}) };
    // The event's job id makes a repeated enqueueFor (a retried worker) a no-op; re-sends get their own.
    const jobId = trigger === 'event' ? messageId : `${messageId}_resend_${now()}`;
    await queue.add(event, data, { jobId });
    log.info({ diagnosticId: record.id, webhook: messageId, trigger }, 'webhook queued');
    return { queued: true, url };
  }

  return {
    async enqueueFor(record) {
      await enqueue(record, 'event');
    },
    resend: (record) => enqueue(record, 'resend'),
    deliveries: (id) => deliveryLog.list(id),
    startWorker() {
      if (worker) return worker;
      agent = createEgressAgent({ policy: egressPolicy(config), timeoutMs: config.WEBHOOK_TIMEOUT_MS, resolve: opts.resolve });
      const processor = createDeliveryProcessor({
        clients: config.clients,
        schedule: config.WEBHOOK_RETRY_SCHEDULE,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        agent,
        deliveries: deliveryLog,
        log,
        now,
        metrics: opts.metrics,
      });
      worker = new Worker<DeliveryJobData>(WEBHOOK_QUEUE, processor, {
        connection,
        prefix: config.REDIS_PREFIX,
        concurrency: opts.concurrency ?? 20,
        settings: { backoffStrategy: deliveryBackoff(config.WEBHOOK_RETRY_SCHEDULE) },
      });
      worker.on('error', (err) => log.error({ err: err.message }, 'webhook worker error'));
      return worker;
    },
    async close() {
      await worker?.close();
      await queue.close();
      await agent?.close();
    },
  };
}
