// A listener that records every TCP connection made to an address, on every port a check or a
// webhook could use: the proof that nothing reached a forbidden address is that it records none.
import { createServer, type Server } from 'node:net';
import { PORTS } from '../scenarios.js';
import { HTTP_PORT } from './index.js';

/** Ports the checks and webhooks dial: the lab's, the real-world defaults, and the SRV test port. */
export const RECORDED_PORTS = [...new Set([
  PORTS.https, HTTP_PORT, PORTS.imaps, PORTS.submission, PORTS.mx, 25, 465, 587, 993, 8443,
])];

export interface Connection { port: number; remote: string; at: string }

export interface ConnectionRecorder {
  readonly connections: Connection[];
  close(): Promise<void>;
}

export async function startRecorder(address: string, ports: number[] = RECORDED_PORTS): Promise<ConnectionRecorder> {
  const connections: Connection[] = [];
  const servers: Server[] = [];
  const close = () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  try {
    for (const port of ports) {
      const s = createServer((c) => {
        connections.push({ port, remote: `${c.remoteAddress}:${c.remotePort}`, at: new Date().toISOString() });
        c.destroy();
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: address, port, exclusive: true }, () => resolve());
      });
      servers.push(s);
    }
  } catch (err) {
    await close();
    throw new Error(`recorder: cannot listen on ${address}: ${(err as Error).message}`);
  }
  return { connections, close };
}
