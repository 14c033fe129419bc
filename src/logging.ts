// The process logger: JSON lines with fixed fields (diagnosticId, check, code); credentials are
// removed by path before a line is written, whatever a caller passes.
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/index.js';

export const REDACT_PATHS = [
  'password', '*.password', '*.*.password',
  'sealed', '*.sealed', '*.*.sealed',
  'authorization', '*.authorization',
  'headers.authorization', 'req.headers.authorization', 'request.headers.authorization',
  'headers["idempotency-key"]', 'req.headers["idempotency-key"]',
  'headers.cookie', 'req.headers.cookie',
  'sealKey', '*.sealKey', 'SEAL_KEY', 'API_KEYS',
];

export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: DestinationStream, base: Record<string, unknown> = {}): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'exchange-diagnostics', ...base },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
}
