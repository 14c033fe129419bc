// When to try a webhook again: the configured schedule (seconds, WEBHOOK_RETRY_SCHEDULE), never
// sooner than a receiver's Retry-After (429/503), and which answers end the retries.

/** Delay before attempt `attempt + 1`, ms, or undefined when the schedule is exhausted. */
export function retryDelayMs(schedule: readonly number[], attempt: number, retryAfterMs?: number): number | undefined {
  if (attempt < 1 || attempt > schedule.length) return undefined;
  const planned = Math.round(schedule[attempt - 1] * 1000);
  return retryAfterMs !== undefined && retryAfterMs > planned ? retryAfterMs : planned;
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date; capped at one day. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const maxMs = 24 * 3600 * 1000;
  if (/^\s*\d+\s*$/.test(v)) return Math.min(Number(v) * 1000, maxMs);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), maxMs);
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  /** Try again later (network error, timeout, 5xx, 429, 408, redirects, other 4xx). */
  | { kind: 'retry'; retryAfterMs?: number }
  /** Stop for good: 410 Gone (the endpoint asked us to stop) or a policy refusal. */
  | { kind: 'stop'; gone: boolean };

/** Classifies a response status (undefined = no response: network error or timeout). */
export function classifyStatus(status: number | undefined, retryAfterMs?: number): AttemptOutcome {
  if (status === undefined) return { kind: 'retry' };
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'stop', gone: true };
  if (status === 429 || status === 503) return { kind: 'retry', retryAfterMs };
  // 3xx is a failure (redirects are never followed: they could point anywhere); other 4xx/5xx too.
  return { kind: 'retry' };
}
