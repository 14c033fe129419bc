// HTTP authentication in front of the Exchange stand-ins (Autodiscover, EWS, OWA), as IIS does it:
// Basic against the mailbox passwords, or only Negotiate/NTLM on a server that refuses Basic.
import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { MailboxScenario } from '../scenarios.js';
import type { AuthLog, HttpLoginProtocol } from './auth-log.js';
import { basicCredentials, send, type StandinRequest } from './http-util.js';
import { findMailbox } from './lab-accounts.js';

/** Exchange hosts whose IIS has Basic authentication switched off. */
export const NO_BASIC_HOSTS = new Set(['nobasic.lab.test']);

const IIS_401 = `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head>
<body><div id="header"><h1>Server Error</h1></div><div id="content"><fieldset><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2>
<h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3></fieldset></div></body></html>
`;

export function sendUnauthorized(req: StandinRequest, res: ServerResponse): void {
  const challenge = NO_BASIC_HOSTS.has(req.host) ? ['Negotiate', 'NTLM'] : [`Basic realm="${req.host}"`];
  send(res, 401, 'text/html', IIS_401, { 'WWW-Authenticate': challenge, 'X-Powered-By': 'ASP.NET' });
}

const samePassword = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Checks a user name and password as the directory would; denied accounts fail like a wrong password. */
export function checkPassword(user: string, password: string): MailboxScenario | undefined {
  const mailbox = findMailbox(user);
  if (!mailbox || !samePassword(password, mailbox.password) || mailbox.denyLogin) return undefined;
  return mailbox;
}

/** IPv4 `a.b.c.d` inside `net/len` (the lab's authorised-IP blocks are IPv4, like OVHcloud's ipv4Block). */
function inBlock(ip: string, block: string): boolean {
  const n = (s: string) => s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  const a = ip.replace(/^::ffff:/i, '');
  const [net, len] = block.split('/');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(a)) return false;
  const size = 2 ** (32 - Number(len ?? 32));
  return Math.floor(n(a) / size) === Math.floor(n(net) / size);
}

/**
 * What Exchange would refuse although the password is right: Basic logins over a protocol the
 * mailbox's authentication policy blocks (refuseLegacyAuth), and logins from outside the
 * service's authorised IPs for HTTPS (allowNets.https). Both answer like a wrong password (401).
 */
function refusedAnyway(mailbox: MailboxScenario, protocol: HttpLoginProtocol, remote: string | undefined): boolean {
  if (protocol !== 'owa' && mailbox.refuseLegacyAuth?.includes(protocol)) return true;
  const nets = mailbox.allowNets?.https;
  return !!nets && !nets.some((b) => inBlock(remote ?? '', b));
}

/**
 * The signed-in mailbox, or undefined after answering 401 itself. Only a login that was really
 * attempted (Basic credentials presented to a server that accepts Basic) is logged as failed.
 */
export async function authenticate(req: StandinRequest, res: ServerResponse, log: AuthLog, protocol: HttpLoginProtocol): Promise<MailboxScenario | undefined> {
  if (NO_BASIC_HOSTS.has(req.host)) {
    sendUnauthorized(req, res);
    return undefined;
  }
  const creds = basicCredentials(req);
  if (!creds) {
    sendUnauthorized(req, res);
    return undefined;
  }
  const found = checkPassword(creds.user, creds.password);
  const mailbox = found && !refusedAnyway(found, protocol, req.remoteAddress) ? found : undefined;
  if (!mailbox) {
    await log.failed(creds.user, protocol);
    sendUnauthorized(req, res);
    return undefined;
  }
  return mailbox;
}
