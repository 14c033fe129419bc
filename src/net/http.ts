// One HTTP exchange through the run's dispatcher, answered as data: a response (any status) or a
// classified transport failure, with timing. Checks decide what a status means; this never throws.
// Every read is bounded: by bytes (what the caller expects to read) and by time (a server that
// trickles a byte at a time cannot hold a check past its exchange budget).
import { request, type Dispatcher } from 'undici';
import { classifyTransportError, type ClassifiedError } from './errors.js';

/** Body limits by purpose, bytes: what a legitimate answer of that kind needs, with room. */
export const BODY_LIMITS = {
  /** Autodiscover POX and EWS SOAP answers (a few KB in practice). */
  xml: 256 * 1024,
  /** RDAP, status-page and provider JSON. */
  json: 512 * 1024,
  /** An HTML page we only look at (OWA sign-in page), a redirect probe. */
  page: 64 * 1024,
} as const;

/** Longest a single exchange may take end to end, unless the caller says otherwise, ms. */
export const EXCHANGE_TIMEOUT_MS = 15_000;

export interface HttpExchangeOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Bodies beyond this many bytes are cut (`truncated` says so); default BODY_LIMITS.xml. */
  maxBodyBytes?: number;
  /** Whole-exchange budget, ms (default EXCHANGE_TIMEOUT_MS); the signal may end it sooner. */
  timeoutMs?: number;
}

export type HttpExchange =
  | { ok: true; url: string; status: number; headers: Record<string, string | string[] | undefined>; body: string; truncated: boolean; ms: number }
  | ({ ok: false; url: string; ms: number } & ClassifiedError);

const DEFAULT_MAX = BODY_LIMITS.xml;

export async function httpExchange(dispatcher: Dispatcher, url: string, opts: HttpExchangeOptions): Promise<HttpExchange> {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  // The budget is a timer of our own, not AbortSignal.timeout() inside AbortSignal.any(): on Node 20
  // the combined signal holds its sources weakly, and a timeout signal nothing else references is
  // garbage-collected and never fires (seen on 20.20.2: the exchange then ran on to undici's
  // headersTimeout). The controller stays reachable from the timer until it is cleared.
  const budget = new AbortController();
  const timer = setTimeout(() => budget.abort(new DOMException('the exchange budget ran out', 'TimeoutError')), opts.timeoutMs ?? EXCHANGE_TIMEOUT_MS);
  try {
    const res = await request(url, {
      dispatcher,
      method: opts.method ?? 'GET',
      headers: opts.headers,
      body: opts.body,
      signal: AbortSignal.any([opts.signal, budget.signal]),
    });
    const { text: body, truncated } = await readCapped(res.body, opts.maxBodyBytes ?? DEFAULT_MAX);
    return { ok: true, url, status: res.statusCode, headers: res.headers, body, truncated, ms: ms() };
  } catch (err) {
    return { ok: false, url, ms: ms(), ...classifyTransportError(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads at most `max` bytes of a body, then drops the connection (the rest is never buffered). */
export async function readCapped(body: Dispatcher.ResponseData['body'], max: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    if (size + b.length > max) {
      chunks.push(b.subarray(0, max - size));
      truncated = true;
      body.destroy();
      break;
    }
    chunks.push(b);
    size += b.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}

/** The run's HTTP client: exchanges over the guarded dispatcher, nothing else reaches the network. */
export interface HttpClient {
  readonly dispatcher: Dispatcher;
  exchange(url: string, opts: HttpExchangeOptions): Promise<HttpExchange>;
  /** GET following https redirects without credentials (see getFollowing). */
  follow(url: string, opts: Omit<HttpExchangeOptions, 'method' | 'body'>, max?: number): Promise<{ last: HttpExchange; chain: string[] }>;
}

export function createHttpClient(dispatcher: Dispatcher): HttpClient {
  return {
    dispatcher,
    exchange: (url, opts) => httpExchange(dispatcher, url, opts),
    follow: (url, opts, max) => getFollowing(dispatcher, url, opts, max),
  };
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
