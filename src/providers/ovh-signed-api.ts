// Signed calls to the OVHcloud API. The official `ovh` client holds the endpoint (name → host,
// or host/port/basePath) and computes the signature; the bytes travel through the run's undici
// dispatcher because the client's own transport (https.request with the global agent) accepts
// neither a DNS lookup nor an AbortSignal, and checks must resolve names through the configured DNS.
import ovh, { type OvhClient } from 'ovh';
import type { Dispatcher } from 'undici';
import { requestJson, type JsonAnswer } from './json-request.js';
import { ProviderError } from './provider.js';

export interface OvhApiOptions {
  /** Endpoint name known to the client (ovh-eu, ovh-ca, …) or a base URL (https://api.example/1.0). */
  endpoint: string;
  appKey: string;
  appSecret: string;
  consumerKey: string;
  http: Dispatcher;
  now?: () => number;
}

export interface OvhApi {
  readonly baseUrl: string;
  /** GET a path under the base (e.g. /email/exchange); the status is the caller's to judge. */
  get(path: string, signal: AbortSignal): Promise<JsonAnswer>;
}

export function endpointParams(endpoint: string): { endpoint: string } | { host: string; port: number; basePath: string } {
  if (!/^https?:\/\//i.test(endpoint)) return { endpoint };
  const u = new URL(endpoint);
  if (u.protocol !== 'https:') throw new Error('OVH_ENDPOINT must be an https URL or an endpoint name');
  return { host: u.hostname, port: u.port ? Number(u.port) : 443, basePath: u.pathname.replace(/\/+$/, '') || '' };
}

export function createOvhApi(opts: OvhApiOptions): OvhApi {
  const client: OvhClient = ovh({ appKey: opts.appKey, appSecret: opts.appSecret, consumerKey: opts.consumerKey, ...endpointParams(opts.endpoint) });
  const now = opts.now ?? Date.now;
  const origin = `https://${client.host}${client.port === 443 ? '' : `:${client.port}`}`;
  const baseUrl = `${origin}${client.basePath}`;
  let timeDiff: Promise<number> | undefined;

  // The API rejects timestamps too far from its clock; like the client, learn the drift once.
  const serverTimeDiff = (signal: AbortSignal) => {
    timeDiff ??= requestJson(opts.http, `${baseUrl}/auth/time`, { signal, what: 'OVHcloud API time' }).then((r) => {
      if (r.status !== 200 || typeof r.body !== 'number') {
        throw new ProviderError(`OVHcloud API time: HTTP ${r.status}`, { route: '/auth/time', status: r.status });
      }
      return r.body - Math.round(now() / 1000);
    });
    timeDiff.catch(() => { timeDiff = undefined; });
    return timeDiff;
  };

  return {
    baseUrl,
    async get(path, signal) {
      const diff = await serverTimeDiff(signal);
      const timestamp = Math.round(now() / 1000) + diff;
      // Signed exactly as the client signs: 'https://' + host + basePath + path (no port), empty body.
      const signature = client.signRequest('GET', `https://${client.host}${client.basePath}${path}`, '', timestamp);
      return requestJson(opts.http, `${baseUrl}${path}`, {
        signal,
        what: `OVHcloud API GET ${path}`,
        headers: {
          'content-type': 'application/json',
          'x-ovh-application': client.appKey,
          'x-ovh-timestamp': String(timestamp),
          'x-ovh-consumer': opts.consumerKey,
          'x-ovh-signature': signature,
        },
      });
    },
  };
}
