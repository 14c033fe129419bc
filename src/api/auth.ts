// API keys: Bearer tokens are hashed (SHA-256) once per request and looked up among the digests
// of every known client's keys, pre-hashed at start-up; the hit is confirmed in constant time.
// The lookup is by the digest of the presented key, which an attacker cannot steer towards a
// stored one, so its timing tells nothing about the keys. The client id decorates the request;
// routes scope every read by it.
import * as crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ClientSettings } from '../config/index.js';
import { ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    clientId?: string;
  }
}

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;
/** crypto.hash (Node ≥ 20.12): one call, no Hash object; createHash before. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;
const sha256Hex = oneShot ? (s: string) => oneShot('sha256', s, 'hex') : (s: string) => crypto.createHash('sha256').update(s).digest('hex');

const BEARER = /^Bearer\s+(\S+)\s*$/i;

export function createAuthenticator(clients: ReadonlyMap<string, ClientSettings>) {
  const byDigest = new Map<string, { id: string; digest: Buffer }>();
  for (const c of clients.values()) {
    for (const d of c.keyDigests) {
      const hex = d.toLowerCase();
      // Two clients with the same key: the first one listed keeps it (as before).
      if (!byDigest.has(hex)) byDigest.set(hex, { id: c.id, digest: Buffer.from(hex, 'hex') });
    }
  }
  return async function authenticate(req: FastifyRequest): Promise<void> {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!m) throw unauthorized('send Authorization: Bearer <api key>');
    const hex = sha256Hex(m[1]);
    const e = byDigest.get(hex);
    if (!e || !crypto.timingSafeEqual(e.digest, Buffer.from(hex, 'hex'))) throw unauthorized('unknown API key');
    req.clientId = e.id;
  };
}

const unauthorized = (detail: string) =>
  new ProblemError(401, 'UNAUTHORIZED', detail, { headers: { 'www-authenticate': 'Bearer realm="exchange-diagnostics"' } });

export function clientOf(req: FastifyRequest): string {
  if (!req.clientId) throw unauthorized('not authenticated');
  return req.clientId;
}
