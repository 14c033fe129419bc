// One HTTP exchange through the run's dispatcher, answered as data: a response (any status) or a
// classified transport failure, with timing. Checks decide what a status means; this never throws.
import { request, type Dispatcher } from 'undici';
import { classifyTransportError, type ClassifiedError } from './http-errors.js';

export interface HttpExchangeOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Bodies beyond this many bytes are cut (we only read small documents). */
  maxBodyBytes?: number;
}

export type HttpExchange =
  | { ok: true; url: string; status: number; headers: Record<string, string | string[] | undefined>; body: string; ms: number }
  | ({ ok: false; url: string; ms: number } & ClassifiedError);

const DEFAULT_MAX = 1024 * 1024;

export async function httpExchange(dispatcher: Dispatcher, url: string, opts: HttpExchangeOptions): Promise<HttpExchange> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  try {
    const res = await request(url, {
      dispatcher,
      method: opts.method ?? 'GET',
      headers: opts.headers,
      body: opts.body,
      signal: opts.signal,
    });
    const body = await readCapped(res.body, opts.maxBodyBytes ?? DEFAULT_MAX);
    return { ok: true, url, status: res.statusCode, headers: res.headers, body, ms: ms() };
  } catch (err) {
    return { ok: false, url, ms: ms(), ...classifyTransportError(err) };
  }
}

async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (size + b.length > max) {
      chunks.push(b.subarray(0, max - size));
      body.destroy();
      break;
    }
    chunks.push(b);
    size += b.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const header = (h: Record<string, string | string[] | undefined>, name: string): string[] => {
  const v = h[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

/** Basic credentials for an Authorization header (kept in one place so nothing else builds them). */
export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/**
 * GET that follows up to `max` redirects, https targets only (no credentials are ever attached
 * here). Returns the last exchange and the chain of URLs visited.
 */
export async function getFollowing(
  dispatcher: Dispatcher, url: string, opts: Omit<HttpExchangeOptions, 'method' | 'body'>, max = 3,
): Promise<{ last: HttpExchange; chain: string[] }> {
  const chain = [url];
  let res = await httpExchange(dispatcher, url, opts);
  for (let i = 0; i < max && res.ok && res.status >= 300 && res.status < 400; i++) {
    const loc = header(res.headers, 'location')[0];
    if (!loc) break;
    const next = new URL(loc, res.url).toString();
    if (!next.startsWith('https://')) break;
    chain.push(next);
    res = await httpExchange(dispatcher, next, opts);
  }
  return { last: res, chain };
}
