// Small helpers every stand-in shares: one request shape, reply writers, Basic credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request already read in full, with the virtual host it was addressed to. */
export interface StandinRequest {
  method: string;
  /** Path without the query string, percent-decoding left to each site. */
  path: string;
  query: URLSearchParams;
  /** Raw request target as sent (path + query), which OVHcloud signatures cover. */
  target: string;
  /** Host header as sent (may carry a port). */
  hostHeader: string;
  /** Host name without port, lower case. */
  host: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The client's address (the lab's clients are on loopback). */
  remoteAddress?: string;
}

/** Where the stand-ins are reachable, so answers can point back at themselves. */
export interface SiteContext {
  port: number;
  /** `host` or `host:port` when the port is not 443. */
  authority(host: string): string;
}

export type Site = (req: StandinRequest, res: ServerResponse, ctx: SiteContext) => Promise<void> | void;

export const MAX_BODY = 1024 * 1024;

export async function readRequest(req: IncomingMessage): Promise<StandinRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { statusCode: 413 });
    chunks.push(chunk as Buffer);
  }
  const target = req.url ?? '/';
  const url = new URL(target, 'https://standin.invalid');
  const hostHeader = req.headers.host ?? '';
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    target,
    hostHeader,
    host: stripPort(hostHeader).toLowerCase(),
    headers: req.headers,
    body: Buffer.concat(chunks),
    remoteAddress: req.socket.remoteAddress,
  };
}

export function stripPort(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const i = hostHeader.lastIndexOf(':');
  return i >= 0 ? hostHeader.slice(0, i) : hostHeader;
}

export function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, contentType = 'application/json; charset=utf-8', headers: Record<string, string | string[]> = {}): void {
  send(res, status, contentType, JSON.stringify(value), headers);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

export interface BasicCredentials {
  user: string;
  password: string;
}

/** Credentials of an `Authorization: Basic` header, or undefined when absent or of another scheme. */
export function basicCredentials(req: StandinRequest): BasicCredentials | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Exact-match path helper: splits a path under `prefix` into decoded segments, or undefined. */
export function segmentsUnder(path: string, prefix: string): string[] | undefined {
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return undefined;
  const rest = path.slice(prefix.length).split('/').filter((s) => s.length > 0);
  try {
    return rest.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}
