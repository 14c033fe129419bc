// What the hostile servers did, as JSON lines in $LAB_DIR/hostile.log: which server and mode, and
// how many bytes it managed to push before the client hung up. Tests read it to prove a bound held.
// Never holds anything a client sent (credentials arrive here in AUTH lines and Basic headers).
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface HostileEvent {
  server: 'imap' | 'smtp' | 'https' | 'http';
  /** The name the client asked for (SNI or Host) and the misbehaviour it selected. */
  name?: string;
  mode: string;
  event: 'connected' | 'closed';
  /** Bytes written to the socket (closed events). */
  bytesSent?: number;
  /** How long the connection lasted, ms (closed events). */
  ms?: number;
  at: string;
}

export type HostileLog = (e: Omit<HostileEvent, 'at'>) => void;

export const HOSTILE_LOG = 'hostile.log';

export function hostileLog(file: string): HostileLog {
  // Synchronous: a test that got its answer can already read the line.
  return (e) => appendFileSync(file, `${JSON.stringify({ ...e, at: new Date().toISOString() })}\n`);
}

/** Events logged so far by the lab at `labDir` (default LAB_DIR). */
export async function hostileEvents(labDir: string = process.env.LAB_DIR ?? ''): Promise<HostileEvent[]> {
  const text = await readFile(join(labDir, HOSTILE_LOG), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).flatMap((l) => {
    try { return [JSON.parse(l) as HostileEvent]; } catch { return []; }
  });
}

/** Logs the end of a connection with the bytes it carried; returns nothing to undo. */
export function trackSocket(log: HostileLog, socket: { bytesWritten: number; once(ev: 'close', f: () => void): unknown }, base: Omit<HostileEvent, 'at' | 'event'>): void {
  const t0 = Date.now();
  log({ ...base, event: 'connected' });
  socket.once('close', () => log({ ...base, event: 'closed', bytesSent: socket.bytesWritten, ms: Date.now() - t0 }));
}
