// The certificate each HTTPS origin presented on its last verified connection. undici does not hand
// a response's socket to the caller, so the run's connector records the peer certificate when a
// connection opens (only after verification passed) and the checks read it by URL afterwards.
import type { TLSSocket } from 'node:tls';
import { peerCertSummary, type CertSummary } from './tls-inspect.js';

export interface PeerCertificates {
  /** Called by the connector with a connected, verified TLS socket. */
  record(origin: { hostname: string; port?: string | number; servername?: string | null }, socket: unknown): void;
  /** The certificate last seen for this https URL's origin, if a connection to it was made. */
  forUrl(url: string): CertSummary | undefined;
}

const key = (host: string, port: string | number | undefined) =>
  `${host.replace(/^\[|\]$/g, '').toLowerCase()}:${port === undefined || port === '' ? 443 : Number(port)}`;

/** `max` bounds memory in a long-running worker: the oldest origin is forgotten first. */
export function createPeerCertificates(max = 1000): PeerCertificates {
  const seen = new Map<string, CertSummary>();
  return {
    record(origin, socket) {
      const s = socket as { getPeerCertificate?: () => unknown; authorized?: boolean };
      if (typeof s?.getPeerCertificate !== 'function' || s.authorized !== true) return;
      // Once per connection (undici calls this when a socket opens, not per request), and cheap
      // for a certificate seen before (tls-inspect.ts peerCertSummary).
      const cert = peerCertSummary(socket as TLSSocket);
      if (!cert) return;
      const k = key(origin.servername || origin.hostname, origin.port);
      seen.delete(k);
      seen.set(k, cert);
      if (seen.size > max) seen.delete(seen.keys().next().value as string);
    },
    forUrl(url) {
      let u: URL;
      try { u = new URL(url); } catch { return undefined; }
      if (u.protocol !== 'https:') return undefined;
      return seen.get(key(u.hostname, u.port));
    },
  };
}
