// A hostile IMAP server (implicit TLS): it announces a 2 GB literal — in its greeting, in its
// CAPABILITY answer or in its answer to the login, by the name the client asked for (SNI) — and
// then sends bytes as fast as the client reads them. A bounded client refuses the literal at once.
import { createServer, type TLSSocket } from 'node:tls';
import { HOSTILE } from '../scenarios.js';
import { flood } from './flood.js';
import { trackSocket, type HostileLog } from './log.js';
import { lineReader } from './lines.js';

type Mode = 'greeting' | 'capability' | 'login';

const MODES: Record<string, Mode> = {
  [HOSTILE.imapGreetingLiteral]: 'greeting',
  [HOSTILE.imapCapabilityLiteral]: 'capability',
  [HOSTILE.imapLoginLiteral]: 'login',
};

const LITERAL = '{2147483648}\r\n';

export function hostileImapServer(tls: { key: Buffer; cert: Buffer }, log: HostileLog) {
  return createServer({ ...tls }, (socket: TLSSocket) => {
    const name = typeof socket.servername === 'string' ? socket.servername : undefined;
    const mode: Mode = (name && MODES[name]) || 'greeting';
    trackSocket(log, socket, { server: 'imap', name, mode });
    socket.on('error', () => socket.destroy());
    if (mode === 'greeting') {
      socket.write(`* OK [ALERT] ${LITERAL}`);
      return flood(socket);
    }
    socket.write(mode === 'capability' ? '* OK Hostile IMAP4rev1 ready\r\n' : '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Hostile IMAP4rev1 ready\r\n');
    let awaitingSasl: string | undefined;
    const lines = lineReader((line) => {
      // The continuation of AUTHENTICATE PLAIN carries the credentials: answered, never kept.
      if (awaitingSasl) {
        socket.write(`* OK [ALERT] ${LITERAL}`);
        awaitingSasl = undefined;
        flood(socket);
        return false;
      }
      const [tag = '*', command = ''] = line.split(' ');
      const cmd = command.toUpperCase();
      if (cmd === 'CAPABILITY' && mode === 'capability') {
        socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN ${LITERAL}`);
        flood(socket);
        return false;
      }
      if (cmd === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK CAPABILITY completed\r\n`);
      else if (cmd === 'LOGIN' || (cmd === 'AUTHENTICATE' && line.split(' ').length > 3)) {
        socket.write(`* OK [ALERT] ${LITERAL}`);
        flood(socket);
        return false;
      } else if (cmd === 'AUTHENTICATE') {
        awaitingSasl = tag;
        socket.write('+ \r\n');
      } else if (cmd === 'LOGOUT') {
        socket.end(`* BYE\r\n${tag} OK LOGOUT completed\r\n`);
      } else socket.write(`${tag} OK ${cmd || 'NOOP'} completed\r\n`);
    }, () => socket.destroy());
    socket.on('data', (c: Buffer) => lines.push(c));
  });
}
