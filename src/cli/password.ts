// Getting the password without it ever being an argv value (visible in `ps` and shell history).
import type { ReadStream } from 'node:tty';
import { InterruptedError, UsageError, type PasswordSource } from './args.js';

export interface PasswordIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export async function readPassword(source: PasswordSource, io: PasswordIo): Promise<string> {
  if (source.kind === 'env') {
    const v = io.env[source.name];
    if (!v) throw new UsageError(`environment variable ${source.name} is not set or empty`);
    return v;
  }
  if (source.kind === 'stdin') {
    const v = firstLine(await readAll(io.stdin));
    if (!v) throw new UsageError('no password on standard input');
    return v;
  }
  if (!io.stdin.isTTY) throw new UsageError('no terminal to ask for the password: use --password-env VAR or --password-stdin');
  const v = await promptHidden(io.stdin as ReadStream, io.stderr, 'Password: ');
  if (!v) throw new UsageError('empty password');
  return v;
}

const firstLine = (s: string) => s.split(/\r?\n/)[0] ?? '';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line in raw mode, echoing nothing. */
function promptHidden(tty: ReadStream, out: NodeJS.WritableStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    out.write(prompt);
    let value = '';
    const wasRaw = tty.isRaw;
    tty.setRawMode(true);
    tty.resume();
    tty.setEncoding('utf8');
    const end = (err?: Error) => {
      tty.off('data', onData);
      tty.setRawMode(wasRaw);
      tty.pause();
      out.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return end();
        if (ch === '\u0003') return end(new InterruptedError('interrupted'));
        if (ch === '\u0004') return end();
        if (ch === '\u007f' || ch === '\b') { value = value.slice(0, -1); continue; }
        value += ch;
      }
    };
    tty.on('data', onData);
  });
}
