// A hostile submission server: STARTTLS and AUTH like any other, then a 535 reply that echoes the
// client's AUTH line — the base64 of "\0user\0password" — and its decoded text. Whatever keeps
// server replies (evidence, logs, Redis, webhooks) must not keep the password with them.
import { createServer, type Socket } from 'node:net';
import { HOSTILE } from '../scenarios.js';
import { trackSocket, type HostileLog } from './log.js';
import { lineReader, serverStartTls } from './lines.js';

const decoded = (b64: string) => Buffer.from(b64, 'base64').toString('utf8').replace(/\0/g, ' ').trim();

export function hostileSmtpServer(tls: { key: Buffer; cert: Buffer }, log: HostileLog) {
  const name = HOSTILE.smtpEchoAuth;
  return createServer((plain) => {
    trackSocket(log, plain, { server: 'smtp', name, mode: 'echo-auth' });
    plain.on('error', () => plain.destroy());
    let socket: Socket = plain;
    let secure = false;
    // AUTH LOGIN: the lines that follow are the user name, then the password, each in base64.
    let login: 'user' | 'pass' | undefined;
    let plainPending = false;
    const reply = (s: string) => socket.write(`${s}\r\n`);
    const echo = (line: string, b64: string) => reply(
      `535-5.7.8 You sent: ${line}\r\n535-5.7.8 Which decodes to: ${decoded(b64)}\r\n535 5.7.8 Authentication credentials invalid`,
    );
    const onLine = (line: string) => {
      if (login === 'user') { login = 'pass'; return reply('334 UGFzc3dvcmQ6'); }
      if (login === 'pass') { login = undefined; return echo(line, line); }
      if (plainPending) { plainPending = false; return echo(line, line); }
      const [verb = '', arg1 = '', arg2] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
        case 'HELO':
          return reply(`250-${name}\r\n${secure ? '250-AUTH PLAIN LOGIN' : '250-STARTTLS'}\r\n250 8BITMIME`);
        case 'STARTTLS': {
          if (secure) return reply('503 5.5.1 TLS already active');
          reply('220 2.0.0 Ready to start TLS');
          socket = serverStartTls(plain, tls, lines);
          secure = true;
          return;
        }
        case 'AUTH':
          if (arg1.toUpperCase() === 'PLAIN') {
            if (arg2) return echo(line, arg2);
            plainPending = true;
            return reply('334 ');
          }
          if (arg1.toUpperCase() === 'LOGIN') {
            login = arg2 ? 'pass' : 'user';
            return reply(arg2 ? '334 UGFzc3dvcmQ6' : '334 VXNlcm5hbWU6');
          }
          return reply('504 5.5.4 Unrecognized authentication type');
        case 'QUIT':
          reply('221 2.0.0 Bye');
          return void socket.end();
        case 'RSET':
        case 'NOOP':
          return reply('250 2.0.0 OK');
        default:
          return reply('530 5.7.0 Authentication required');
      }
    };
    const lines = lineReader(onLine, () => socket.destroy());
    plain.on('data', (c: Buffer) => lines.push(c));
    reply(`220 ${name} ESMTP hostile`);
  });
}
