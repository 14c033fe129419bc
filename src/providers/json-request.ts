// A provider API call: JSON over the run's dispatcher. Transport failures and unreadable bodies
// become ProviderError (our side could not decide); HTTP statuses are left to the caller.
import type { Dispatcher } from 'undici';
import { BODY_LIMITS, httpExchange } from '../net/http.js';
import { ProviderError } from './provider.js';

export interface JsonAnswer { status: number; body: unknown; ms: number }

export async function requestJson(
  http: Dispatcher,
  url: string,
  opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; signal: AbortSignal; what: string },
): Promise<JsonAnswer> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const res = await httpExchange(http, url, {
    method: opts.method, headers: opts.headers, body: opts.body, signal: opts.signal, maxBodyBytes: BODY_LIMITS.json,
  });
  if (!res.ok) {
    throw new ProviderError(`${opts.what}: ${res.kind === 'tls' ? 'certificate not trusted' : res.kind} (${res.code})`, { what: opts.what, error: res.code, kind: res.kind, ms: ms() });
  }
  const { status, body: text } = res;
  if (res.truncated) throw new ProviderError(`${opts.what}: the answer is larger than ${BODY_LIMITS.json} bytes`, { what: opts.what, status, ms: ms() });
  if (!text.length) return { status, body: null, ms: ms() };
  try {
    return { status, body: JSON.parse(text) as unknown, ms: ms() };
  } catch {
    if (status >= 200 && status < 300) {
      throw new ProviderError(`${opts.what}: the answer is not JSON (HTTP ${status})`, { what: opts.what, status, ms: ms() });
    }
    return { status, body: null, ms: ms() };
  }
}

/** A short, credential-free description of an error body ({message, errorCode} style APIs). */
export function apiMessage(body: unknown): string | undefined {
  const b = body as { message?: unknown; errorCode?: unknown; error?: unknown } | null;
  const m = b?.message ?? b?.error;
  return typeof m === 'string' ? m.slice(0, 200) : undefined;
}
