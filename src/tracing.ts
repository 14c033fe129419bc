// Optional OpenTelemetry tracing: one trace per diagnostic, from POST /v1/diagnostics (API) through
// the worker's run and its checks to each webhook delivery. Off unless OTEL_EXPORTER_OTLP_ENDPOINT
// is set; then startTracing() loads the SDK with import(), so the default path loads nothing of
// OpenTelemetry and every helper here returns at once.
//
// Context crosses the queues as a W3C traceparent string (https://www.w3.org/TR/trace-context/) in
// the job data (queue/payload.ts, webhooks' DeliveryJobData); within a process spans are parented
// explicitly, and the finisher's webhook enqueue learns the run's context from an AsyncLocalStorage
// set only while tracing is on. No global tracer provider or context manager is registered.
//
// What spans carry: ids (diagnostic, client, check, webhook message), statuses, codes, verdicts and
// the webhook endpoint's origin. Never the password, the sealed blob, the account (the logs do not
// carry it either) or a full webhook URL (it may hold a token).
import type { AsyncLocalStorage } from 'node:async_hooks';
import type * as OtelApi from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface TracingSettings {
  /** OTLP/HTTP base URL (`/v1/traces` is appended, as the OTel exporter spec says); unset = tracing off. */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME: string;
}

export type SpanAttributes = Record<string, string | number | boolean | undefined>;
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** A span being recorded. */
export interface TraceSpan {
  /** W3C traceparent naming this span (to carry to the next process as its parent). */
  readonly traceparent: string;
  set(attributes: SpanAttributes): void;
  /** Marks the span failed (status ERROR) with a short reason (never a secret). */
  fail(reason: string): void;
  child(name: string, attributes?: SpanAttributes, kind?: SpanKindName): TraceSpan;
  /** Ends the span (further calls do nothing). */
  end(): void;
}

/** version 00, 32-hex trace id, 16-hex parent id, 2-hex flags; all-zero ids are invalid (W3C Trace Context §3.2). */
export const TRACEPARENT_RE = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Returns `value` when it is a valid traceparent, else undefined. */
export function validTraceparent(value: unknown): string | undefined {
  return typeof value === 'string' && TRACEPARENT_RE.test(value) ? value : undefined;
}

/** The OTLP/HTTP traces URL of a base endpoint: `{endpoint}/v1/traces` (OTel spec, "Endpoint URLs for OTLP/HTTP"). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

interface Active {
  api: typeof OtelApi;
  tracer: OtelApi.Tracer;
  provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  als: AsyncLocalStorage<string>;
}

let active: Active | undefined;

/** True once startTracing() turned tracing on in this process. */
export function tracingEnabled(): boolean {
  return active !== undefined;
}

/**
 * Turns tracing on when OTEL_EXPORTER_OTLP_ENDPOINT is set (the config schema validated it):
 * loads the SDK, exports spans in batches as OTLP/HTTP JSON. Returns whether tracing is on.
 * `attributes` go on the resource (e.g. which process this is).
 */
export async function startTracing(s: TracingSettings, attributes: Record<string, string> = {}): Promise<boolean> {
  if (active) return true;
  if (!s.OTEL_EXPORTER_OTLP_ENDPOINT) return false;
  const [api, base, otlp, resources, semconv, hooks] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
    import('node:async_hooks'),
  ]);
  // Standard OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _COMPRESSION still apply (read by the exporter).
  const exporter = new otlp.OTLPTraceExporter({ url: tracesUrl(s.OTEL_EXPORTER_OTLP_ENDPOINT) });
  const resource = resources.defaultResource()
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
    .merge(resources.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: s.OTEL_SERVICE_NAME, ...attributes }));
  // BasicTracerProvider reads the standard OTEL_TRACES_SAMPLER* and span-limit variables.
  const provider = new base.BasicTracerProvider({ resource, spanProcessors: [new base.BatchSpanProcessor(exporter)] });
  active = { api, tracer: provider.getTracer('exchange-diagnostics'), provider, als: new hooks.AsyncLocalStorage<string>() };
  return true;
}

/** Exports what is buffered now (tests, and before a process exits). */
export async function flushTracing(): Promise<void> {
  await active?.provider.forceFlush();
}

/** Exports what is buffered and turns tracing off. */
export async function stopTracing(): Promise<void> {
  const a = active;
  active = undefined;
  await a?.provider.shutdown();
}

/**
 * Starts a span, under `parent` (a traceparent from another process) when it is valid, else as a
 * new trace; `link` (an untrusted caller's traceparent) is only linked. Undefined when tracing is off.
 */
export function startSpan(name: string, o: { kind?: SpanKindName; parent?: string; link?: string; attributes?: SpanAttributes } = {}): TraceSpan | undefined {
  const a = active;
  if (!a) return undefined;
  const parent = remoteContext(a, o.parent);
  const linked = remoteContext(a, o.link);
  const links = linked ? [{ context: a.api.trace.getSpanContext(linked)! }] : undefined;
  return wrap(a, a.tracer.startSpan(name, { kind: kindOf(a, o.kind), attributes: clean(o.attributes), ...(links ? { links } : {}) }, parent ?? a.api.ROOT_CONTEXT));
}

/** Runs `fn` with `traceparent` as the current trace (read by currentTraceparent()); plain call when off. */
export function runInTrace<T>(traceparent: string | undefined, fn: () => T): T {
  return active && traceparent ? active.als.run(traceparent, fn) : fn();
}

/** The traceparent set by the innermost runInTrace(), if any. */
export function currentTraceparent(): string | undefined {
  return active?.als.getStore();
}

const requestSpans = new WeakMap<FastifyRequest, TraceSpan>();
const NO_TRACE: { traceparent?: string } = Object.freeze({});

/**
 * Records a SERVER span for each POST /v1/diagnostics (HTTP semantic conventions). A caller's own
 * `traceparent` header is linked, not adopted: clients do not choose the service's trace ids.
 * Registers nothing when tracing is off.
 */
export function traceDiagnosticRequests(app: FastifyInstance): void {
  if (!active) return;
  app.addHook('onRequest', async (req) => {
    if (req.method !== 'POST' || req.routeOptions.url !== '/v1/diagnostics') return;
    const span = startSpan('POST /v1/diagnostics', {
      kind: 'server',
      link: validTraceparent(req.headers.traceparent),
      attributes: { 'http.request.method': 'POST', 'http.route': '/v1/diagnostics', 'url.scheme': req.protocol },
    });
    if (span) requestSpans.set(req, span);
  });
  app.addHook('onResponse', async (req, reply) => {
    const span = requestSpans.get(req);
    if (!span) return;
    requestSpans.delete(req);
    const location = reply.getHeader('location');
    const id = typeof location === 'string' ? /\/v1\/diagnostics\/([^/?#]+)$/.exec(location)?.[1] : undefined;
    span.set({ 'http.response.status_code': reply.statusCode, 'exdiag.client.id': req.clientId, 'exdiag.diagnostic.id': id });
    if (reply.statusCode >= 500) span.fail(`HTTP ${reply.statusCode}`);
    span.end();
  });
}

/** `{ traceparent }` of the request's span, to put in the job data; `{}` when the request is not traced. */
export function jobTrace(req: FastifyRequest): { traceparent?: string } {
  if (!active) return NO_TRACE;
  const span = requestSpans.get(req);
  return span ? { traceparent: span.traceparent } : NO_TRACE;
}

function remoteContext(a: Active, traceparent: string | undefined): OtelApi.Context | undefined {
  const m = traceparent ? TRACEPARENT_RE.exec(traceparent) : null;
  if (!m) return undefined;
  return a.api.trace.setSpanContext(a.api.ROOT_CONTEXT, { traceId: m[1], spanId: m[2], traceFlags: parseInt(m[3], 16) & 1, isRemote: true });
}

function wrap(a: Active, span: OtelApi.Span): TraceSpan {
  const sc = span.spanContext();
  let ended = false;
  return {
    traceparent: `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 1) ? '01' : '00'}`,
    set(attributes) { if (!ended) span.setAttributes(clean(attributes)); },
    fail(reason) { if (!ended) span.setStatus({ code: a.api.SpanStatusCode.ERROR, message: reason }); },
    child(name, attributes, kind = 'internal') {
      return wrap(a, a.tracer.startSpan(name, { kind: kindOf(a, kind), attributes: clean(attributes) }, a.api.trace.setSpan(a.api.ROOT_CONTEXT, span)));
    },
    end() {
      if (ended) return;
      ended = true;
      span.end();
    },
  };
}

function kindOf(a: Active, kind: SpanKindName = 'internal'): OtelApi.SpanKind {
  const k = a.api.SpanKind;
  return { internal: k.INTERNAL, server: k.SERVER, client: k.CLIENT, producer: k.PRODUCER, consumer: k.CONSUMER }[kind];
}

function clean(attributes: SpanAttributes | undefined): OtelApi.Attributes {
  const out: OtelApi.Attributes = {};
  for (const [k, v] of Object.entries(attributes ?? {})) if (v !== undefined) out[k] = v;
  return out;
}
