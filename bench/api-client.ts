// The bench's HTTP client of the API (undici): start a diagnostic, read it, and follow its SSE
// stream until `diagnostic.finished` — what a control-panel backend does.
import type { Dispatcher } from 'undici';
import type { PublicDiagnostic } from '../src/store/public-view.js';

export interface ApiClient {
  readonly origin: string;
  post(body: Record<string, unknown>, dispatcher?: Dispatcher): Promise<{ status: number; body: PublicDiagnostic & { code?: string } }>;
  get(id: string): Promise<PublicDiagnostic>;
  /** Resolves when the diagnostic's stream says it finished (the event's data). */
  waitFinished(id: string, timeoutMs: number): Promise<Record<string, unknown>>;
}

export function createApiClient(origin: string, apiKey: string, dispatcher: Dispatcher): ApiClient {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

  return {
    origin,
    async post(body, via = dispatcher) {
      const res = await via.request({ origin, path: '/v1/diagnostics', method: 'POST', headers, body: JSON.stringify(body) });
      return { status: res.statusCode, body: (await res.body.json()) as PublicDiagnostic & { code?: string } };
    },
    async get(id) {
      const res = await dispatcher.request({ origin, path: `/v1/diagnostics/${id}`, method: 'GET', headers });
      const body = await res.body.json();
      if (res.statusCode !== 200) throw new Error(`GET ${id}: ${res.statusCode} ${JSON.stringify(body)}`);
      return body as PublicDiagnostic;
    },
    async waitFinished(id, timeoutMs) {
      const signal = AbortSignal.timeout(timeoutMs);
      const res = await dispatcher.request({
        origin, path: `/v1/diagnostics/${id}/events`, method: 'GET',
        headers: { ...headers, accept: 'text/event-stream' }, signal,
      });
      if (res.statusCode !== 200) throw new Error(`events ${id}: ${res.statusCode} ${await res.body.text()}`);
      let buffered = '';
      try {
        for await (const chunk of res.body) {
          buffered += (chunk as Buffer).toString('utf8');
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const frame = parseFrame(buffered.slice(0, end));
            buffered = buffered.slice(end + 2);
            if (frame.event === 'diagnostic.finished') return JSON.parse(frame.data || '{}') as Record<string, unknown>;
          }
        }
      } finally {
        res.body.destroy();
      }
      throw new Error(`events ${id}: the stream ended without diagnostic.finished`);
    },
  };
}

function parseFrame(frame: string): { event?: string; data: string } {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return { event, data: data.join('\n') };
}
