// A tiny Postfix policy-delegation server (SMTPD_POLICY_README): greylists the recipients marked
// `greylist` in scenarios.ts, so the receive check meets a real 4xx and must retry like an MTA.
import { createServer, type Server, type Socket } from 'node:net';
import { BULK_MAILBOXES } from './bulk.js';
import { MAILBOXES } from './scenarios.js';

export interface GreylistOptions {
  /** How long a new triplet is deferred, ms. */
  delayMs?: number;
  now?: () => number;
  /** Recipients to greylist (lower-case addresses); default: the `greylist` mailboxes, bulk ones included. */
  recipients?: string[];
}

export interface Greylist {
  port: number;
  stop(): Promise<void>;
}

export const DEFER = 'DEFER_IF_PERMIT 4.7.1 Greylisted, please try again later';

/** The decision for one policy request; `seen` remembers when each triplet was first met. */
export function decide(attrs: Map<string, string>, seen: Map<string, number>, greylisted: Set<string>, delayMs: number, now: number): string {
  const rcpt = (attrs.get('recipient') ?? '').toLowerCase();
  if (attrs.get('request') !== 'smtpd_access_policy' || !greylisted.has(rcpt)) return 'DUNNO';
  const key = [attrs.get('client_address') ?? '', (attrs.get('sender') ?? '').toLowerCase(), rcpt].join('/');
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, now);
    return DEFER;
  }
  return now - first >= delayMs ? 'DUNNO' : DEFER;
}

export async function startGreylist(opts: GreylistOptions = {}): Promise<Greylist> {
  const delayMs = opts.delayMs ?? 3000;
  const now = opts.now ?? Date.now;
  const greylisted = new Set((opts.recipients ?? [...MAILBOXES, ...BULK_MAILBOXES].filter((m) => m.greylist).map((m) => m.address)).map((a) => a.toLowerCase()));
  const seen = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = '';
    let attrs = new Map<string, string>();
    // Postfix keeps the connection open and sends one request per block, ended by an empty line.
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (line === '') {
          sock.write(`action=${decide(attrs, seen, greylisted, delayMs, now())}\n\n`);
          attrs = new Map();
        } else {
          const eq = line.indexOf('=');
          if (eq > 0) attrs.set(line.slice(0, eq), line.slice(eq + 1));
        }
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Every Postfix smtpd holds a connection: hundreds open at once under the scale bench.
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
