// Calls to the service. Every call (the live stream included) is a fetch() with
// `Authorization: Bearer <key>`: EventSource cannot send that header, so the stream is read with
// fetch and a small SSE parser. The key stays out of URLs (logs, history) and in sessionStorage.
import { locale, t } from './i18n.js';

const KEY = 'exdiag.apiKey';
const keyInput = () => document.getElementById('api-key');

/** The API key typed in (remembered for this tab only). */
export function apiKey() {
  const k = keyInput().value.trim();
  if (k) sessionStorage.setItem(KEY, k);
  return k;
}

export const savedApiKey = () => sessionStorage.getItem(KEY) || '';

/** A problem+json answer: `status`, stable `code`, and the diagnostic it names (a 409's running one). */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem.detail || problem.title || `HTTP ${status}`;
    super(problem.code ? `${detail} (${problem.code})` : detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code;
    this.diagnosticId = problem.diagnosticId;
  }
}

export async function api(path, init = {}) {
  const headers = { authorization: `Bearer ${apiKey()}`, 'accept-language': locale(), ...(init.headers || {}) };
  let res;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new Error(t().network);
  }
  if (!res.ok) {
    let problem = {};
    try { problem = await res.json(); } catch { /* not problem+json */ }
    throw new ApiError(res.status, problem);
  }
  return res;
}

export const getJson = async (path, init = {}) =>
  (await api(path, { ...init, headers: { accept: 'application/json', ...(init.headers || {}) } })).json();

export const diagnosticPath = (id, rest = '') => `/v1/diagnostics/${encodeURIComponent(id)}${rest}`;

/**
 * Reads a text/event-stream response and calls `onEvent({id, event, data})` for each event, until
 * the stream ends or `onEvent` returns true.
 */
export async function readEvents(res, onEvent) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    buf += value.replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const ev = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (!line || line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'id') ev.id = val;
        else if (field === 'event') ev.event = val;
        else if (field === 'data') ev.data += val;
      }
      if (await onEvent(ev)) {
        reader.cancel().catch(() => undefined);
        return true;
      }
    }
  }
}
