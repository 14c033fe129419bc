// Starts the hostile servers on ADDR.hostile with the lab's certificate: IMAP (PORTS.imaps),
// submission (PORTS.submission), HTTPS (PORTS.https) and plain HTTP (80, the Autodiscover probe).
// Each is its own small listener; the name a client asks for picks the misbehaviour (scenarios.ts HOSTILE).
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { ADDR, PORTS } from '../scenarios.js';
import { hostileHttpServer, hostileHttpsServer } from './http.js';
import { hostileImapServer } from './imap.js';
import { HOSTILE_LOG, hostileLog } from './log.js';
import { hostileSmtpServer } from './smtp.js';
import { exoSmtpServer } from './exo-smtp.js';

/** Plain HTTP: where `http://autodiscover.<domain>/…` (the redirect probe) lands. */
export const HTTP_PORT = 80;

export interface HostileServers {
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: ADDR.hostile, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startHostile(opts: { labDir: string; cert: { key: string; cert: string } }): Promise<HostileServers> {
  const tls = { key: await readFile(opts.cert.key), cert: await readFile(opts.cert.cert) };
  const log = hostileLog(join(opts.labDir, HOSTILE_LOG));
  const servers: Array<[Server, number]> = [
    [hostileImapServer(tls, log), PORTS.imaps],
    [hostileSmtpServer(tls, log), PORTS.submission],
    [hostileHttpsServer(tls, log), PORTS.https],
    [hostileHttpServer(log), HTTP_PORT],
    // Its own port: an SMTP server greets before TLS, so SNI cannot pick it on the shared one.
    [exoSmtpServer(tls, log), PORTS.exoSubmission],
  ];
  // Open connections (a slowloris, a flood) must not keep the lab from stopping.
  const sockets = new Set<{ destroy(): void }>();
  for (const [s] of servers) {
    s.on('connection', (c) => { sockets.add(c); c.once('close', () => sockets.delete(c)); });
    s.on('secureConnection', (c) => { sockets.add(c); c.once('close', () => sockets.delete(c)); });
  }
  const started: Server[] = [];
  const stop = async () => {
    for (const c of sockets) c.destroy();
    await Promise.all(started.map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
  try {
    for (const [s, port] of servers) {
      await listen(s, port);
      started.push(s);
    }
  } catch (err) {
    await stop();
    throw new Error(`lab: hostile servers on ${ADDR.hostile}: ${(err as Error).message}`);
  }
  return { stop };
}
