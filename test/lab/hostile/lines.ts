// The hostile servers read their client's commands as lines: CRLF or LF, latin1, at most `max`
// bytes waiting for an end of line (past it the connection is dropped, as real servers do).
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

export interface LineReader {
  /** Feed a chunk; `onLine` runs for each complete line until it returns `false`. */
  push(chunk: Buffer): void;
  /**
   * Drops what is buffered. After STARTTLS a server must not act on anything the client sent
   * before the handshake (RFC 3207 §5, command injection).
   */
  clear(): void;
}

export function lineReader(onLine: (line: string) => boolean | void, onOverflow: () => void, max = 64 * 1024): LineReader {
  let buf = '';
  return {
    push(chunk) {
      buf += chunk.toString('latin1');
      if (buf.length > max) return onOverflow();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        if (onLine(line) === false) return;
      }
    },
    clear() { buf = ''; },
  };
}

/**
 * STARTTLS on the server side, after its `220`: the plain socket stops feeding `lines`, what it
 * buffered is dropped, and the TLS socket feeds them from now on.
 */
export function serverStartTls(plain: Socket, tls: { key: Buffer; cert: Buffer }, lines: LineReader): TLSSocket {
  plain.removeAllListeners('data');
  lines.clear();
  const t = new TLSSocket(plain, { isServer: true, ...tls });
  t.on('error', () => plain.destroy());
  t.on('data', (c: Buffer) => lines.push(c));
  return t;
}
