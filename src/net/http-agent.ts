// The HTTP connection pool of every outbound request (checks, provider API, webhooks): names are
// resolved by the lookup it is given (which applies the egress policy to every answer), and IP
// literals — which net.connect never looks up — are held against the same guard before dialling.
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { EgressForbiddenError, ipLiteral, type EgressGuard } from './egress.js';

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
}

export function createGuardedAgent(o: GuardedAgentOptions): Agent {
  const connector = buildConnector({ lookup: o.lookup, timeout: o.timeoutMs } as buildConnector.BuildOptions);
  return new Agent({
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
