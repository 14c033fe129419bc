// Hostile web servers on ADDR.hostile (HTTPS on 443, plain HTTP on 80), written on raw sockets so
// that they can misbehave below what an HTTP library allows: 1 MB of unclosed Autodiscover tags,
// redirect loops (HTTP 302 and POX redirectUrl/redirectAddr), a slowloris head or body, and
// Autodiscover answers that send the client to the forbidden address. The Host header picks which.
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { ADDR, FORBIDDEN_HOST, HOSTILE } from '../scenarios.js';
import { trickle } from './flood.js';
import { trackSocket, type HostileLog } from './log.js';

const AD_PATH = '/autodiscover/autodiscover.xml';
const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

interface Request { method: string; path: string; host: string; headers: Record<string, string>; body: string }

/** 1 MB of Autodiscover that opens tags and never closes them. */
const UNCLOSED = (() => {
  const head = `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${RESPONSE_NS}"><Response xmlns="${OUTLOOK_NS}"><Account><Action>settings</Action>`;
  return head + '<Protocol><Type>EXCH</Type><Server>'.repeat(Math.ceil((1024 * 1024 - head.length) / 34));
})();

const pox = (account: string) => `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}"><Response xmlns="${OUTLOOK_NS}"><Account><AccountType>email</AccountType>${account}</Account></Response></Autodiscover>`;
const redirectUrl = (url: string) => pox(`<Action>redirectUrl</Action><RedirectUrl>${url}</RedirectUrl>`);
const redirectAddr = (address: string) => pox(`<Action>redirectAddr</Action><RedirectAddr>${address}</RedirectAddr>`);

function respond(socket: Socket, status: string, headers: Record<string, string | number>, body = ''): void {
  const head = [`HTTP/1.1 ${status}`, ...Object.entries({ 'Content-Length': Buffer.byteLength(body), Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
const xml = (socket: Socket, body: string) => respond(socket, '200 OK', { 'Content-Type': 'text/xml; charset=utf-8' }, body);
const found = (socket: Socket, location: string) => respond(socket, '302 Found', { Location: location });

/** The address in a POX request (never the credentials, which are in a header we do not read). */
const emailOf = (body: string) => /<(?:\w+:)?EMailAddress>([^<]*)</.exec(body)?.[1] ?? '';

type Route = (req: Request, socket: Socket, secure: boolean) => string;

/** Answers one request; returns the mode name it used (for the log). */
const route: Route = (req, socket, secure) => {
  const host = req.host;
  if (host === HOSTILE.autodiscoverUnclosed) {
    // To anyone, credentials or not: what a customer-controlled Autodiscover host can do.
    xml(socket, UNCLOSED);
    return 'unclosed-1mb';
  }
  if (host === HOSTILE.redirectLoopA || host === 'autodiscover.redirect-loop.test') {
    found(socket, `https://${HOSTILE.redirectLoopB}${req.path}`);
    return '302-to-b';
  }
  if (host === HOSTILE.redirectLoopB) {
    found(socket, `https://${HOSTILE.redirectLoopA}${req.path}`);
    return '302-to-a';
  }
  if (host === HOSTILE.poxLoopA || host === HOSTILE.poxLoopB) {
    const email = emailOf(req.body);
    if (email.endsWith('@addr-loop.test')) {
      xml(socket, redirectAddr(email.startsWith('a@') ? 'b@addr-loop.test' : 'a@addr-loop.test'));
      return 'redirectAddr-loop';
    }
    xml(socket, redirectUrl(`https://${host === HOSTILE.poxLoopA ? HOSTILE.poxLoopB : HOSTILE.poxLoopA}${AD_PATH}`));
    return 'redirectUrl-loop';
  }
  if (host === HOSTILE.slowHeaders) {
    trickle(socket, 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Slow: ' + 'x'.repeat(600) + '\r\n\r\n');
    return 'slow-headers';
  }
  if (host === HOSTILE.slowBody) {
    const body = '<?xml version="1.0"?>' + ' '.repeat(600);
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    trickle(socket, body);
    return 'slow-body';
  }
  if (host === HOSTILE.toForbidden || host === 'autodiscover.egress-redirect.test') {
    // The plain-http probe and the autodiscover.<domain> candidate: a 302 to the forbidden address.
    if (!secure || host !== HOSTILE.toForbidden) {
      found(socket, `https://${ADDR.forbidden}${AD_PATH}`);
      return '302-to-forbidden';
    }
    const local = emailOf(req.body).split('@')[0] ?? '';
    const targets: Record<string, string> = {
      hex: `https://0x7f.0.0.6${AD_PATH}`,
      decimal: `https://2130706438${AD_PATH}`,
      mapped: `https://[::ffff:${ADDR.forbidden}]${AD_PATH}`,
      name: `https://${FORBIDDEN_HOST}${AD_PATH}`,
    };
    if (local.startsWith('ews')) {
      xml(socket, pox(`<Action>settings</Action><Protocol><Type>EXPR</Type><Server>${ADDR.forbidden}</Server><EwsUrl>https://${ADDR.forbidden}/EWS/Exchange.asmx</EwsUrl></Protocol>`));
      return 'ewsurl-forbidden';
    }
    const key = Object.keys(targets).find((k) => local.startsWith(k)) ?? 'mapped';
    xml(socket, redirectUrl(targets[key]));
    return `redirectUrl-forbidden-${key}`;
  }
  respond(socket, '404 Not Found', { 'Content-Type': 'text/plain' }, 'no such hostile host');
  return 'unknown-host';
};

/** Reads one request (head ≤ 16 KB, body ≤ 64 KB), then hands the socket to the route. */
function serve(socket: Socket, secure: boolean, log: HostileLog): void {
  let buf = Buffer.alloc(0);
  let logged = false;
  socket.on('error', () => socket.destroy());
  socket.setTimeout(120_000, () => socket.destroy());
  const onData = (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buf.length > 16 * 1024) socket.destroy();
      return;
    }
    const [start = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (length > 64 * 1024) return void socket.destroy();
    if (buf.length < end + 4 + length) return;
    socket.off('data', onData);
    const [method = 'GET', path = '/'] = start.split(' ');
    const host = (headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
    const mode = route({ method, path, host, headers, body }, socket, secure);
    if (!logged) { logged = true; trackSocket(log, socket, { server: secure ? 'https' : 'http', name: host, mode }); }
  };
  socket.on('data', onData);
}

export function hostileHttpsServer(tls: { key: Buffer; cert: Buffer }, log: HostileLog) {
  return createTlsServer({ ...tls }, (socket: TLSSocket) => serve(socket, true, log));
}

export function hostileHttpServer(log: HostileLog) {
  return createTcpServer((socket) => serve(socket, false, log));
}
