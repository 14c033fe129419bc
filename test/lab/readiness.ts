// Start-up waits on real readiness (a port that answers) rather than on sleeps, and failures
// carry the server's own log so a broken start explains itself.
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';

/** Retries `probe` every `intervalMs` until it resolves truthy or `timeoutMs` passes. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, opts: { timeoutMs?: number; intervalMs?: number; logFile?: string; exited?: () => string | undefined } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  let last = '';
  for (;;) {
    const gone = opts.exited?.();
    if (gone) throw new Error(`lab: ${what}: ${gone}${await tailNote(opts.logFile)}`);
    try {
      if (await probe()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`lab: ${what} not ready after ${opts.timeoutMs ?? 15000} ms${last ? ` (${last})` : ''}${await tailNote(opts.logFile)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** Connects and, when `expect` is given, waits for a greeting that starts with it. */
export function probeTcp(host: string, port: number, expect?: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let buf = '';
    const done = (ok: boolean, err?: Error) => {
      s.destroy();
      clearTimeout(t);
      if (err) reject(err);
      else resolve(ok);
    };
    const t = setTimeout(() => done(false, new Error(`${host}:${port}: no greeting`)), timeoutMs);
    s.on('error', (e) => done(false, e));
    s.on('connect', () => {
      if (!expect) done(true);
    });
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (expect && buf.length >= expect.length) done(buf.startsWith(expect), buf.startsWith(expect) ? undefined : new Error(`${host}:${port} said ${JSON.stringify(buf.slice(0, 80))}`));
    });
  });
}

/** The last lines of a log, for error messages. */
export async function logTail(file: string, lines = 25): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function tailNote(file?: string): Promise<string> {
  if (!file) return '';
  const t = await logTail(file);
  return t ? `\n--- last lines of ${file} ---\n${t}` : `\n(${file} is empty or missing)`;
}
