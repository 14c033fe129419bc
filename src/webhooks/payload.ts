// What a webhook carries: the full record (it never holds a password) plus a ready-to-paste
// summary, so a ticketing system can attach the report without calling back.
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { renderReport } from '../report/render.js';
import { publicView, type PublicDiagnostic } from '../store/public-view.js';

export const WEBHOOK_EVENTS = ['diagnostic.completed', 'diagnostic.failed', 'diagnostic.cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookPayload {
  type: WebhookEvent;
  timestamp: string;
  data: {
    /** What GET /v1/diagnostics/{id} answers (the owner id stays internal). */
    diagnostic: PublicDiagnostic;
    summary: { markdown: string; text: string };
  };
}

/** The event a finished record produces; undefined while it is still queued or running. */
export function eventFor(record: DiagnosticRecord): WebhookEvent | undefined {
  switch (record.status) {
    case 'completed': return 'diagnostic.completed';
    case 'failed': return 'diagnostic.failed';
    case 'cancelled': return 'diagnostic.cancelled';
    default: return undefined;
  }
}

/** Stable per event: retries and re-sends of one event share it (receivers de-duplicate on it). */
export const messageIdFor = (record: DiagnosticRecord, event: WebhookEvent) => `msg_${record.id}_${event.split('.')[1]}`;

export function buildPayload(record: DiagnosticRecord, event: WebhookEvent, now: Date): WebhookPayload {
  // Defence in depth: whatever a future field holds, nothing named like a secret leaves.
  const diagnostic = JSON.parse(JSON.stringify(publicView(record), (k, v) => (/^(password|sealed|secret)$/i.test(k) ? undefined : v))) as PublicDiagnostic;
  return {
    type: event,
    timestamp: record.finishedAt ?? now.toISOString(),
    data: {
      diagnostic,
      summary: {
        markdown: renderReport(record, { format: 'markdown', locale: record.locale }),
        text: renderReport(record, { format: 'text', locale: record.locale }),
      },
    },
  };
}
