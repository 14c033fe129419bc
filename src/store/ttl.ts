// How long each kind of key lives, derived once from the config. Nothing in Redis is kept
// forever: finished records for RESULT_TTL_SECONDS, in-flight ones for as long as they can
// still be worked on, indexes no longer than the newest record they list.
import type { Config } from '../config/index.js';

export interface StoreTtls {
  /** Finished records, their events and delivery logs. */
  resultTtlSeconds: number;
  /**
   * Queued and running records (refreshed on every write), their event streams and indexes: the
   * result TTL (a backlog is never dropped sooner than a result would be) plus the longest run.
   */
  inFlightTtlSeconds: number;
}

export type TtlSettings = Pick<Config,
  | 'RESULT_TTL_SECONDS' | 'DIAGNOSTIC_DEADLINE_MS' | 'WORKER_LOCK_MS' | 'WORKER_STALLED_INTERVAL_MS'
  | 'WORKER_MAX_STALLED' | 'WORKER_SHUTDOWN_GRACE_MS' | 'THROTTLE_WINDOW_SECONDS'>;

/**
 * The longest a diagnostic can stay in flight besides waiting its turn, seconds: a start delayed
 * by the account's lockout budget (at most one throttle window), then every attempt (the first
 * and WORKER_MAX_STALLED retries) runs to its deadline before its dead worker's lock expires and
 * the stall is noticed; one shutdown grace on top, and ten minutes of slack.
 */
export function longestRunSeconds(c: Omit<TtlSettings, 'RESULT_TTL_SECONDS'>): number {
  const attempt = c.DIAGNOSTIC_DEADLINE_MS + c.WORKER_LOCK_MS + c.WORKER_STALLED_INTERVAL_MS;
  const ms = c.THROTTLE_WINDOW_SECONDS * 1000 + (c.WORKER_MAX_STALLED + 1) * attempt + c.WORKER_SHUTDOWN_GRACE_MS;
  return Math.ceil(ms / 1000) + 600;
}

export function storeTtls(c: TtlSettings): StoreTtls {
  return { resultTtlSeconds: c.RESULT_TTL_SECONDS, inFlightTtlSeconds: c.RESULT_TTL_SECONDS + longestRunSeconds(c) };
}
