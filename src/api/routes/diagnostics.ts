// /v1/diagnostics: start, read, list and cancel diagnostics. Every read is scoped to the
// authenticated client: another client's diagnostic is indistinguishable from a missing one.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { RedisClient } from '../../store/redis.js';
import type { Config } from '../../config/index.js';
import type { DiagnosticRecord } from '../../diagnostics/record.js';
import { negotiateLocale } from '../../diagnostics/remediation.js';
import { CHECK_IDS, type CheckId, type Locale } from '../../diagnostics/types.js';
import type { DiagnosticProducer } from '../../queue/producer.js';
import { requestFingerprint, type SealKeys } from '../../queue/keyring.js';
import { seal } from '../../queue/seal.js';
import type { Admission, AdmissionOutcome } from '../../store/admission.js';
import { InvalidCursorError, TERMINAL, type DiagnosticStore } from '../../store/diagnostic-store.js';
import type { Finisher } from '../../store/finisher.js';
import { publicView } from '../../store/public-view.js';
import { validateWebhookUrl } from '../../webhooks/egress.js';
import { clientOf } from '../auth.js';
import { defaultPlatformFor, enforceClientPolicy } from '../client-policy.js';
import { createClientRateLimit } from '../client-rate-limit.js';
import { routeSchema, type OpenApiDocument } from '../openapi.js';
import { ProblemError } from '../problem.js';
import { ownedRecord } from '../owned-record.js';
import { jobTrace } from '../../tracing.js';

export interface DiagnosticsRoutesOptions {
  config: Readonly<Config>;
  sealKey: SealKeys;
  doc: OpenApiDocument;
  store: DiagnosticStore;
  /** Writes a new record and its job together (one script). */
  admission: Admission;
  producer: DiagnosticProducer;
  finish: Finisher;
  /** The API's connection: the per-client rate limit counts there. */
  redis: RedisClient;
}

interface CreateBody {
  account: string;
  password: string;
  platform?: string;
  server?: string;
  checks?: CheckId[];
  locale?: Locale;
  webhookUrl?: string;
  metadata?: Record<string, unknown>;
}

const METADATA_MAX_BYTES = 4096;
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** Retry-After of TOO_MANY_ACTIVE: when a slot frees is unknown; a healthy run lasts seconds. */
const ACTIVE_RETRY_AFTER_SECONDS = 10;

export const diagnosticsRoutes: FastifyPluginAsync<DiagnosticsRoutesOptions> = async (app, o) => {
  const { config, store } = o;
  const location = (id: string) => `/v1/diagnostics/${id}`;

  const owned = (req: FastifyRequest<{ Params: { id: string } }>) => ownedRecord(store, req);
  const rate = createClientRateLimit(o.redis, config.REDIS_PREFIX, config.clients);

  app.post<{ Body: CreateBody }>('/v1/diagnostics', {
    schema: routeSchema(o.doc, '/v1/diagnostics', 'post'),
    bodyLimit: 64 * 1024,
    // Counts the POSTs refused before the create step against the client's rate.
    errorHandler: rate.errorHandler,
  }, async (req, reply) => {
    const clientId = clientOf(req);
    const policy = config.clients.get(clientId)!.policy;
    const b = req.body;
    if (b.metadata && Buffer.byteLength(JSON.stringify(b.metadata)) > METADATA_MAX_BYTES) {
      const errors = [{ field: 'body.metadata', message: `must be at most ${METADATA_MAX_BYTES} bytes of JSON` }];
      throw new ProblemError(400, 'VALIDATION_FAILED', `invalid request: body.metadata is larger than ${METADATA_MAX_BYTES} bytes`, { errors });
    }
    const platform = b.platform ?? defaultPlatformFor(policy, config.DEFAULT_PLATFORM);
    const profile = config.platforms.get(platform);
    if (!profile) {
      throw new ProblemError(422, 'UNKNOWN_PLATFORM', `unknown platform "${platform}" (known: ${[...config.platforms.keys()].join(', ')})`,
        { errors: [{ field: 'body.platform', message: 'is not a known platform profile' }] });
    }
    enforceClientPolicy(policy, profile, { account: b.account, platform, server: b.server });
    if (b.webhookUrl) {
      const v = validateWebhookUrl(b.webhookUrl, config);
      if (!v.ok) throw new ProblemError(422, 'WEBHOOK_URL_FORBIDDEN', `webhookUrl is not accepted: ${v.reason}`, { errors: [{ field: 'body.webhookUrl', message: v.reason }] });
      // Webhooks are signed with the client's secret: without one, nothing could ever be sent.
      if (!config.clients.get(clientId)?.webhookSecrets.length) {
        throw new ProblemError(422, 'WEBHOOK_SECRET_MISSING', 'webhookUrl needs a webhook signing secret for this client (CLIENTS_FILE webhookSecrets); none is configured, so no webhook could be signed or sent',
          { errors: [{ field: 'body.webhookUrl', message: 'this client has no webhook signing secret' }] });
      }
    }
    const now = Date.now();
    const checks = b.checks ? CHECK_IDS.filter((c) => b.checks!.includes(c)) : [...CHECK_IDS];
    const record: DiagnosticRecord = {
      id: randomUUID(),
      clientId,
      account: b.account,
      platform,
      ...(b.server ? { server: b.server.toLowerCase() } : {}),
      checks,
      locale: negotiateLocale(b.locale, req.headers['accept-language']),
      ...(b.webhookUrl ? { webhookUrl: b.webhookUrl } : {}),
      ...(b.metadata ? { metadata: b.metadata } : {}),
      status: 'queued',
      progress: { total: checks.length, completed: 0, running: [] },
      results: [],
      createdAt: new Date(now).toISOString(),
    };
    const idemKey = req.headers['idempotency-key'];
    const limit = await rate.beforeCreate(req, reply, clientId);
    let outcome: AdmissionOutcome;
    try {
      outcome = await o.admission.admit(record, { diagnosticId: record.id, sealed: seal(o.sealKey, b.password, record.id), ...jobTrace(req) }, {
        now,
        throttle: {
          max: config.THROTTLE_MAX,
          windowSeconds: config.THROTTLE_WINDOW_SECONDS,
          accountMax: config.THROTTLE_ACCOUNT_MAX ?? config.THROTTLE_MAX,
          maxDelayMs: config.THROTTLE_WINDOW_SECONDS * 1000,
        },
        maxActive: policy.maxActive,
        ...(limit ? { rate: limit } : {}),
        lockTtlSeconds: Math.ceil(config.DIAGNOSTIC_DEADLINE_MS / 1000) * 10 + 3600,
        ...(typeof idemKey === 'string' ? {
          idempotency: {
            keyDigest: createHash('sha256').update(idemKey).digest('hex'),
            // HMAC under a key derived from SEAL_KEY: the body holds the password.
            ...requestFingerprint(o.sealKey, canonicalJson(b)),
            ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
          },
        } : {}),
      });
    } catch (err) {
      req.log.error({ diagnosticId: record.id, err: { name: (err as Error).name, message: (err as Error).message } }, 'diagnostic not queued');
      throw new ProblemError(503, 'QUEUE_UNAVAILABLE', 'the diagnostic could not be queued; retry later');
    }
    rate.afterCreate(reply, clientId, limit, outcome.rate);
    switch (outcome.kind) {
      case 'mismatch':
        throw new ProblemError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another request body', { diagnosticId: outcome.id });
      case 'conflict':
        throw new ProblemError(409, 'DIAGNOSTIC_RUNNING', `a diagnostic of ${b.account} is already queued or running`, { diagnosticId: outcome.id });
      case 'throttled':
        throw new ProblemError(429, 'THROTTLED', `too many diagnostics of ${b.account}; retry in ${outcome.retryAfterSeconds} s`,
          { headers: { 'retry-after': String(outcome.retryAfterSeconds) } });
      case 'busy':
        throw new ProblemError(429, 'TOO_MANY_ACTIVE', `this client has ${policy.maxActive} diagnostics queued or running; retry when one ends`,
          { headers: { 'retry-after': String(ACTIVE_RETRY_AFTER_SECONDS) } });
      case 'replay':
        return reply.code(202).header('location', location(outcome.record.id)).send(publicView(outcome.record));
      case 'ratelimited':
        // Only when this request was counted by the script: afterCreate has thrown RATE_LIMITED.
        throw new Error('rate limit outcome without a limit');
    }
    // Said by the access line ("request completed", api/access-log.ts) rather than a line of its own (a log line is a write).
    req.accessFields = { diagnosticId: record.id, ...(outcome.delayMs > 0 ? { delayMs: outcome.delayMs } : {}) };
    return reply.code(202).header('location', location(record.id)).send(publicView(record));
  });

  app.get<{ Querystring: { account?: string; limit?: number; cursor?: string } }>('/v1/diagnostics', {
    schema: routeSchema(o.doc, '/v1/diagnostics', 'get'),
  }, async (req) => {
    try {
      const page = await store.list(clientOf(req), { account: req.query.account, limit: req.query.limit ?? 20, cursor: req.query.cursor });
      return { items: page.items.map(publicView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ProblemError(400, 'INVALID_CURSOR', err.message, { errors: [{ field: 'querystring.cursor', message: err.message }] });
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/v1/diagnostics/:id', {
    schema: routeSchema(o.doc, '/v1/diagnostics/{id}', 'get'),
  }, async (req) => publicView(await owned(req)));

  app.delete<{ Params: { id: string } }>('/v1/diagnostics/:id', {
    schema: routeSchema(o.doc, '/v1/diagnostics/{id}', 'delete'),
  }, async (req, reply) => {
    const r = await owned(req);
    if (TERMINAL.has(r.status)) throw new ProblemError(409, 'DIAGNOSTIC_FINISHED', `the diagnostic is already ${r.status}`, { diagnosticId: r.id });
    if (r.status === 'queued' && await o.producer.removeQueued(r.id)) {
      // No worker holds it: it ends here.
      const cancelled: DiagnosticRecord = { ...r, status: 'cancelled', finishedAt: new Date().toISOString(), progress: { ...r.progress, running: [] } };
      await o.finish(cancelled);
      req.log.info({ diagnosticId: r.id }, 'queued diagnostic cancelled');
      return reply.code(200).send(publicView(cancelled));
    }
    // A worker runs it (or is taking it): it stops at the next await and records `cancelled`.
    await store.requestCancel(r.id);
    req.log.info({ diagnosticId: r.id }, 'cancellation requested');
    return reply.code(202).send(publicView(r));
  });
};

/** Stable JSON (sorted keys) so that the same body always has the same fingerprint. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
