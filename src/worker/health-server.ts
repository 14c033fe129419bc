// A worker process serves no API, but orchestrators still need to ask it "alive?" and "ready?"
// and Prometheus needs its metrics: a tiny HTTP listener on WORKER_HTTP_PORT, nothing else.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';

export interface WorkerHealthOptions {
  /** Port to listen on (0 picks a free one: tests). */
  port: number;
  /** Address to listen on (default 0.0.0.0, as the API's HOST). */
  host?: string;
  /** A connection of the worker's, pinged by /readyz. */
  redis: Pick<Redis, 'ping'>;
  /** True while the diagnostics worker takes jobs (false once it is closing). */
  isRunning: () => boolean;
  /** Served at /metrics. */
  registry: Pick<Registry, 'metrics' | 'contentType'>;
  /** How long /readyz waits for Redis, ms (default 1000). */
  redisTimeoutMs?: number;
}

export interface WorkerHealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(o: WorkerHealthOptions): Promise<WorkerHealthServer> {
  const server = createServer((req, res) => {
    handle(o, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'application/json', { status: 'error' });
      else res.destroy();
    });
  });
  // Probes are short requests; never let a stuck client hold a socket.
  server.requestTimeout = 5000;
  server.headersTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function handle(o: WorkerHealthOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'application/problem+json', problem(405, 'METHOD_NOT_ALLOWED', `${req.method} is not served here`, path));
  }
  switch (path) {
    case '/livez':
      return send(res, 200, 'application/json', { status: 'ok' });
    case '/readyz': {
      if (!o.isRunning()) return send(res, 503, 'application/problem+json', problem(503, 'WORKER_NOT_RUNNING', 'the worker is not taking jobs (starting or stopping)', path));
      if (!(await pings(o.redis, o.redisTimeoutMs ?? 1000))) return send(res, 503, 'application/problem+json', problem(503, 'REDIS_UNAVAILABLE', 'Redis does not answer', path));
      return send(res, 200, 'application/json', { status: 'ok' });
    }
    case '/metrics':
      return send(res, 200, o.registry.contentType, await o.registry.metrics());
    default:
      return send(res, 404, 'application/problem+json', problem(404, 'NOT_FOUND', `no route ${req.method} ${path}`, path));
  }
}

async function pings(redis: Pick<Redis, 'ping'>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
  try {
    return await Promise.race([redis.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const TITLES: Record<number, string> = { 404: 'Not Found', 405: 'Method Not Allowed', 503: 'Service Unavailable' };

function problem(status: number, code: string, detail: string, instance: string) {
  return { type: `https://exchange-diagnostics.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`, title: TITLES[status], status, code, detail, instance };
}

function send(res: ServerResponse, status: number, type: string, body: unknown) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
