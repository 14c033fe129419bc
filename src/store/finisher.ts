// The end of a diagnostic, whoever ends it (the worker, or the API cancelling a queued one):
// final event, record with expiry, lock released, outcome counters, then the webhook.
import type { Logger } from 'pino';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import type { DiagnosticStore } from './diagnostic-store.js';
import type { EventWriter } from './events.js';
import type { MetricsStore } from './metrics-store.js';
import { publicView } from './public-view.js';

export type OnFinished = (record: DiagnosticRecord) => Promise<void>;

export function createFinisher(d: { store: DiagnosticStore; events: EventWriter; metrics: MetricsStore; log: Logger; onFinished?: OnFinished }) {
  return async function finish(record: DiagnosticRecord): Promise<void> {
    // Record first: a client that reads `diagnostic.finished` and then GETs must see the end.
    await d.store.saveFinished(record);
    await d.events.append(record.id, 'diagnostic.finished', publicView(record));
    await d.metrics.recordFinished(record).catch((err: Error) =>
      d.log.warn({ diagnosticId: record.id, err: { message: err.message } }, 'outcome counters not updated'));
    d.log.info({ diagnosticId: record.id, status: record.status, verdict: record.verdict, code: record.primaryCause ?? record.error?.code, durationMs: record.durationMs }, 'diagnostic finished');
    if (d.onFinished) {
      // The record is safe in Redis already; a webhook hiccup must not fail the diagnostic.
      await d.onFinished(record).catch((err: Error) =>
        d.log.error({ diagnosticId: record.id, err: { name: err.name, message: err.message } }, 'webhook not queued'));
    }
  };
}

export type Finisher = ReturnType<typeof createFinisher>;
