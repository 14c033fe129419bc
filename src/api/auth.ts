// API keys: Bearer tokens compared, as SHA-256 digests and in constant time, with every known
// client's digests. The client id decorates the request; routes scope every read by it.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ClientSettings } from '../config/index.js';
import { ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    clientId?: string;
  }
}

export function createAuthenticator(clients: ReadonlyMap<string, ClientSettings>) {
  const entries = [...clients.values()].flatMap((c) => c.keyDigests.map((d) => ({ id: c.id, digest: Buffer.from(d, 'hex') })));
  return async function authenticate(req: FastifyRequest): Promise<void> {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw unauthorized('send Authorization: Bearer <api key>');
    const digest = createHash('sha256').update(m[1]).digest();
    let found: string | undefined;
    // Walk every entry whatever matches, so timing does not tell which client a key is close to.
    for (const e of entries) if (timingSafeEqual(e.digest, digest) && !found) found = e.id;
    if (!found) throw unauthorized('unknown API key');
    req.clientId = found;
  };
}

const unauthorized = (detail: string) =>
  new ProblemError(401, 'UNAUTHORIZED', detail, { headers: { 'www-authenticate': 'Bearer realm="exchange-diagnostics"' } });

export function clientOf(req: FastifyRequest): string {
  if (!req.clientId) throw unauthorized('not authenticated');
  return req.clientId;
}
