// Bytes as fast as the client takes them (honouring backpressure), up to a cap: what a server that
// announced a 2 GB literal would really send. A bounded client hangs up after its limit.
import type { Socket } from 'node:net';

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** Writes up to `maxBytes` (default 256 MB) or for `maxMs` (default 60 s), whichever ends first. */
export function flood(socket: Socket, maxBytes = 256 * 1024 * 1024, maxMs = 60_000): void {
  const until = Date.now() + maxMs;
  let sent = 0;
  const pump = () => {
    while (!socket.destroyed && sent < maxBytes && Date.now() < until) {
      sent += CHUNK.length;
      if (!socket.write(CHUNK)) return void socket.once('drain', pump);
    }
    if (!socket.destroyed) socket.end();
  };
  pump();
}

/** Sends `text` one byte per `intervalMs` until it is all out or the client hangs up. */
export function trickle(socket: Socket, text: string, intervalMs = 1000): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) {
      clearInterval(timer);
      if (!socket.destroyed) socket.end();
      return;
    }
    socket.write(text[i++]);
  }, intervalMs);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}
