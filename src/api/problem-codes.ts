// Every `code` an application/problem+json answer of the API can carry. One typed catalogue: a
// new code is added here, and to the `ProblemCode` enum of openapi.yaml (the contract test
// compares the two), or it does not compile.
export const PROBLEM_CODES = [
  // 400
  'VALIDATION_FAILED', 'INVALID_JSON', 'INVALID_CONTENT_LENGTH', 'INVALID_CURSOR', 'BAD_REQUEST',
  // 401, 403
  'UNAUTHORIZED', 'PLATFORM_NOT_ALLOWED', 'SERVER_NOT_ALLOWED', 'ACCOUNT_DOMAIN_NOT_ALLOWED',
  // 404, 406
  'NOT_FOUND', 'DIAGNOSTIC_NOT_FOUND', 'NOT_ACCEPTABLE',
  // 409
  'DIAGNOSTIC_RUNNING', 'DIAGNOSTIC_FINISHED', 'DIAGNOSTIC_NOT_FINISHED', 'NO_WEBHOOK_URL',
  // 413, 415
  'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE',
  // 422
  'UNKNOWN_PLATFORM', 'WEBHOOK_URL_FORBIDDEN', 'WEBHOOK_SECRET_MISSING', 'IDEMPOTENCY_KEY_REUSED',
  // 429
  'THROTTLED', 'RATE_LIMITED', 'TOO_MANY_ACTIVE', 'TOO_MANY_STREAMS',
  // 500, 503
  'INTERNAL_ERROR', 'QUEUE_UNAVAILABLE', 'REDIS_UNAVAILABLE',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];
