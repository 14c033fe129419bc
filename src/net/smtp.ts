// Promise-shaped steps over nodemailer's SMTP connection (connect, AUTH, send, QUIT), so that a check
// can say which step failed and what the server answered at that step.
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SMTPConnectionOptions, SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import type { EgressGuard } from './egress.js';
import { socketTls, type TlsInspection } from './tls-inspect.js';
import { withSharedContext } from './tls-context.js';

/**
 * Longest server reply we read (RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; multi-line
 * EHLO answers stay far below this). A server that never ends its reply is cut off here.
 */
export const SMTP_MAX_REPLY_BYTES = 64 * 1024;

export type SmtpStep = 'connect' | 'auth' | 'send';

export class SmtpStepError extends Error {
  override name = 'SmtpStepError';
  constructor(readonly step: SmtpStep, override readonly cause: unknown) {
    super(`${step}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export interface SmtpSession {
  readonly connection: SMTPConnection;
  /** Server lines seen so far (greeting, EHLO, replies); the client's lines are never kept. */
  readonly transcript: string[];
  tls(): TlsInspection | undefined;
  login(user: string, pass: string): Promise<void>;
  send(from: string, to: string[], message: string): Promise<SMTPConnectionSendInfo>;
  quit(): void;
}

function transcriptLogger(lines: string[]) {
  const take = (...args: unknown[]) => {
    const meta = args[0] as { tnx?: string } | undefined;
    // nodemailer logs server lines with tnx 'server'; client lines ('client') may hold AUTH data.
    if (meta?.tnx !== 'server' || lines.length >= 40) return;
    const text = args.slice(1).map(String).join(' ').replace(/%s/g, '').trim();
    if (text) lines.push(text.slice(0, 300));
  };
  return { level: () => undefined, trace: take, debug: take, info: take, warn: take, error: take, fatal: take };
}

/**
 * Connects and runs the greeting, EHLO and STARTTLS handshake; rejects with SmtpStepError('connect').
 * `options.host` must be an IP address from our resolver (nodemailer would otherwise resolve it
 * with the system's); the guard refuses it before anything is dialled when the policy forbids it.
 */
export async function openSmtp(options: SMTPConnectionOptions, signal: AbortSignal, guard?: EgressGuard): Promise<SmtpSession> {
  if (guard) {
    try {
      options = { ...options, host: guard.assert(String(options.host ?? ''), options.servername) };
    } catch (err) {
      throw new SmtpStepError('connect', err);
    }
  }
  const transcript: string[] = [];
  const connection = new SMTPConnection({
    maxResponseSize: SMTP_MAX_REPLY_BYTES, ...options,
    // nodemailer merges `tls` into tls.connect (implicit TLS and STARTTLS): the shared SecureContext.
    tls: withSharedContext(options.tls),
    logger: transcriptLogger(transcript) as never, debug: true,
  } as SMTPConnectionOptions);
  let failure: unknown;
  connection.on('error', (err: unknown) => { failure ??= err; });
  const onAbort = () => connection.close();
  signal.addEventListener('abort', onAbort, { once: true });
  connection.once('end', () => signal.removeEventListener('abort', onAbort));

  const step = <T>(name: SmtpStep, fn: (cb: (err: unknown, v?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(new SmtpStepError(name, signal.reason ?? new Error('aborted')));
      let done = false;
      const finish = (err: unknown, v?: T) => {
        if (done) return;
        done = true;
        connection.off('end', onEnd);
        if (err) reject(new SmtpStepError(name, err)); else resolve(v as T);
      };
      // A connection that ends without a callback (aborted, dropped) must not leave the step pending.
      const onEnd = () => setImmediate(() => finish(failure ?? Object.assign(new Error('connection closed'), { code: 'ECONNECTION' })));
      connection.once('end', onEnd);
      fn(finish);
    });

  await step<void>('connect', (cb) => connection.connect((err) => cb(err)));
  return {
    connection,
    transcript,
    tls: () => (connection.secure ? socketTls(connection._socket) : undefined),
    login: (user, pass) => step<void>('auth', (cb) => connection.login({ user, pass }, (err) => cb(err))),
    send: (from, to, message) => step<SMTPConnectionSendInfo>('send', (cb) => connection.send({ from, to }, message, (err, info) => cb(err, info))),
    quit: () => { try { connection.quit(); } catch { connection.close(); } },
  };
}
