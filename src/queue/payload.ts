// The job payload: an id and the sealed password, nothing else (the record lives in the store);
// and, only while tracing is on, the W3C traceparent of the request's span (never secret).

export interface DiagnosticJobData {
  diagnosticId: string;
  /** AES-256-GCM sealed password (see seal.ts), bound to diagnosticId. */
  sealed: string;
  /** W3C Trace Context `traceparent` of the POST's span (OTEL_EXPORTER_OTLP_ENDPOINT set); absent otherwise. */
  traceparent?: string;
}

export class InvalidJobDataError extends Error {
  override name = 'InvalidJobDataError';
}

/** version-traceid-parentid-flags (https://www.w3.org/TR/trace-context/#traceparent-header). */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

export function parseJobData(data: unknown): DiagnosticJobData {
  const d = data as Partial<DiagnosticJobData> | null;
  if (!d || typeof d.diagnosticId !== 'string' || typeof d.sealed !== 'string') {
    throw new InvalidJobDataError('job data must be { diagnosticId, sealed }');
  }
  // A malformed traceparent only loses the trace, never the run.
  const traceparent = typeof d.traceparent === 'string' && TRACEPARENT.test(d.traceparent) ? d.traceparent : undefined;
  return { diagnosticId: d.diagnosticId, sealed: d.sealed, ...(traceparent ? { traceparent } : {}) };
}
