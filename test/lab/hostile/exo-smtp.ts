// An Exchange Online look-alike submission server (smtp.office365.com:587) for a tenant that has
// SMTP AUTH switched off: greeting, EHLO, STARTTLS and AUTH LOGIN as EXO does them, and every AUTH
// answered with 535 5.7.139 — before and whatever the password. Listens on PORTS.exoSubmission.
//
// Published behaviour it follows (public client transcripts):
// - greeting `220 <FQDN> Microsoft ESMTP MAIL Service ready at <RFC 5322 date>` and the pre-TLS EHLO
//   list (…Hello [ip], SIZE 157286400, PIPELINING, DSN, ENHANCEDSTATUSCODES, STARTTLS, 8BITMIME,
//   BINARYMIME, CHUNKING, SMTPUTF8): https://github.com/PHPMailer/PHPMailer/issues/2194,
//   https://github.com/simonrob/email-oauth2-proxy/issues/95
// - TLS by STARTTLS only; AUTH offered after it as `AUTH LOGIN XOAUTH2` (no PLAIN: `504 5.7.4
//   Unrecognized authentication type`): https://github.com/mattermost/mattermost/issues/954
// - AUTH LOGIN: `334 VXNlcm5hbWU6`, `334 UGFzc3dvcmQ6`, then `535 5.7.139 Authentication unsuccessful,
//   SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for
//   more information. [<server> <ISO time> <hex id>]`: https://github.com/nodemailer/nodemailer/issues/1484,
//   https://github.com/simonrob/email-oauth2-proxy/issues/193 (reference sheet §6)
// - mail without AUTH: `530 5.7.57 Client not authenticated to send mail`: reference sheet §6.
// Never keeps what the client sends (AUTH lines carry the credentials).
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { HOSTILE } from '../scenarios.js';
import { trackSocket, type HostileLog } from './log.js';
import { lineReader, serverStartTls } from './lines.js';

/** The backend name EXO puts in its greeting and replies (shape of e.g. MN2PR05CA0004.namprd05.prod.outlook.com). */
const FQDN = 'LB1LAB05CA0001.namlab05.prod.outlook.com';

export const EXO_SMTP_AUTH_DISABLED =
  '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.';

export function exoSmtpServer(tls: { key: Buffer; cert: Buffer }, log: HostileLog) {
  return createServer((plain) => {
    plain.on('error', () => plain.destroy());
    let socket: Socket = plain;
    let secure = false;
    let login: 'user' | 'pass' | undefined;
    trackSocket(log, plain, { server: 'smtp', name: HOSTILE.exoSmtpAuthDisabled, mode: 'exo-smtp-auth-disabled' });
    const reply = (s: string) => socket.write(`${s}\r\n`);
    const refuse = () => reply(`${EXO_SMTP_AUTH_DISABLED} [${FQDN} ${new Date().toISOString()} ${randomBytes(8).toString('hex').toUpperCase()}]`);
    const ehlo = () => reply([
      `250-${FQDN} Hello [${plain.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'}]`,
      '250-SIZE 157286400', '250-PIPELINING', '250-DSN', '250-ENHANCEDSTATUSCODES',
      secure ? '250-AUTH LOGIN XOAUTH2' : '250-STARTTLS',
      '250-8BITMIME', '250-BINARYMIME', '250-CHUNKING', '250 SMTPUTF8',
    ].join('\r\n'));
    const onLine = (line: string) => {
      if (login === 'user') { login = 'pass'; return reply('334 UGFzc3dvcmQ6'); }
      if (login === 'pass') { login = undefined; return refuse(); }
      const [verb = '', arg1 = '', arg2] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          return ehlo();
        case 'HELO':
          return reply(`250 ${FQDN} Hello [${plain.remoteAddress ?? ''}]`);
        case 'STARTTLS': {
          if (secure) return reply('503 5.5.2 Send hello first');
          reply('220 2.0.0 SMTP server ready');
          socket = serverStartTls(plain, tls, lines);
          secure = true;
          return;
        }
        case 'AUTH':
          if (!secure) return reply('504 5.7.4 Unrecognized authentication type');
          if (arg1.toUpperCase() === 'LOGIN') {
            login = arg2 ? 'pass' : 'user';
            return reply(arg2 ? '334 UGFzc3dvcmQ6' : '334 VXNlcm5hbWU6');
          }
          // XOAUTH2 with a token would be judged by Entra ID; PLAIN is not offered.
          if (arg1.toUpperCase() === 'XOAUTH2') return refuse();
          return reply('504 5.7.4 Unrecognized authentication type');
        case 'MAIL':
          return reply(`530 5.7.57 Client not authenticated to send mail [${FQDN}]`);
        case 'QUIT':
          reply('221 2.0.0 Service closing transmission channel');
          return void socket.end();
        case 'RSET':
        case 'NOOP':
          return reply('250 2.0.0 OK');
        default:
          return reply('500 5.3.3 Unrecognized command');
      }
    };
    const lines = lineReader(onLine, () => socket.destroy());
    plain.on('data', (c: Buffer) => lines.push(c));
    reply(`220 ${FQDN} Microsoft ESMTP MAIL Service ready at ${new Date().toUTCString().replace('GMT', '+0000')}`);
  });
}
