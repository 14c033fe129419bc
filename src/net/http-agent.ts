// The HTTP connection pool of every outbound request (checks, provider API, webhooks): names are
// resolved by the lookup it is given (which applies the egress policy to every answer), and IP
// literals — which net.connect never looks up — are held against the same guard before dialling.
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { EgressForbiddenError, ipLiteral, type EgressGuard } from './egress.js';
import { sharedSecureContext } from './tls-context.js';

/**
 * Connections one origin may have open at once, at least (undici's `connections`; its default is
 * unbounded). A worker running hundreds of diagnostics must not open thousands of HTTPS connections
 * to one host in a burst (handshakes that stall its event loop and overflow the server's accept
 * queue). Beyond the cap, requests wait for a kept-alive connection, and that wait counts against
 * their exchange budget: the cap is a safety net behind the worker's pacing (WORKER_ACTIVE_MAX),
 * sized from it (run/build-deps.ts), never the thing that limits a burst (measured: a cap of 64 with
 * 500 unpaced runs made requests time out in our own pool, reported as AUTODISCOVER_FAILED).
 */
export const CONNECTIONS_PER_ORIGIN = 64;

export interface GuardedAgentOptions {
  guard: EgressGuard;
  /** Resolves names; must refuse forbidden answers itself (net/dns.ts `lookup` does). */
  lookup: LookupFunction;
  /** Connect, headers and body-inactivity timeout, ms (callers also bound the whole exchange). */
  timeoutMs: number;
  /** Called with each connected socket (TLS: after verification), e.g. to record certificates. */
  onConnect?: (origin: { hostname: string; port?: string | number; servername?: string | null }, socket: unknown) => void;
  /** The error raised when the guard refuses an IP literal (default: the guard's own). */
  refusalError?: (reason: string, address: string) => Error;
  /** Largest response header block accepted, bytes. */
  maxHeaderSize?: number;
  /** Connections per origin (default CONNECTIONS_PER_ORIGIN; 0: unbounded). */
  connectionsPerOrigin?: number;
}

export function createGuardedAgent(o: GuardedAgentOptions): Agent {
  // undici passes the connector's extra options to tls.connect: one shared SecureContext (same root
  // store) instead of one built per connection (net/tls-context.ts).
  const connector = buildConnector({ lookup: o.lookup, timeout: o.timeoutMs, secureContext: sharedSecureContext() } as buildConnector.BuildOptions);
  return new Agent({
    ...((o.connectionsPerOrigin ?? CONNECTIONS_PER_ORIGIN) > 0 ? { connections: o.connectionsPerOrigin ?? CONNECTIONS_PER_ORIGIN } : {}),
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    maxHeaderSize: o.maxHeaderSize ?? 32 * 1024,
    // One hop at a time: redirects are followed by the callers that decide what a hop may carry.
    connect: (options, callback) => {
      const literal = ipLiteral(options.hostname);
      if (literal) {
        const reason = o.guard.refusal(literal);
        if (reason) {
          callback(o.refusalError ? o.refusalError(reason, literal) : new EgressForbiddenError(reason, literal), null);
          return;
        }
      }
      connector(options, (err, socket) => {
        if (!err && socket) o.onConnect?.(options, socket);
        callback(err as Error, socket as never);
      });
    },
  });
}
