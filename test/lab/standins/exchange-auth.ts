// HTTP authentication in front of the Exchange stand-ins (Autodiscover, EWS, OWA), as IIS does it:
// Basic against the mailbox passwords, or only Negotiate/NTLM on a server that refuses Basic.
import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import ipaddr from 'ipaddr.js';
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

/** Is the client's address (IPv4, or IPv4-mapped IPv6 as Node reports it) inside an IPv4 block (OVHcloud's ipv4Block)? */
function fromBlock(remote: string | undefined, block: string): boolean {
  if (!remote || !ipaddr.isValid(remote)) return false;
  const parsed = ipaddr.process(remote);
  const [net, len] = ipaddr.parseCIDR(block.includes('/') ? block : `${block}/32`);
  return parsed.kind() === net.kind() && parsed.match(net, len);
}

/**
 * What Exchange refuses although the password is right, answered like a wrong password (401 with
 * the Basic challenge):
 * - Basic logins over a protocol the mailbox's authentication policy blocks (refuseLegacyAuth):
 *   Exchange 2019's `BlockLegacyAuth*` (https://learn.microsoft.com/powershell/module/exchange/new-authenticationpolicy)
 *   blocks Basic per protocol, and Exchange gives no reason to the client (shared/reference/
 *   exchange-protocol-facts.md §5: the same "NO LOGIN failed." for every cause; §4a: 401 for a refused
 *   authorization over HTTP). OWA has no flag (its forms login is not Basic).
 * - Logins from outside the service's authorised IPs for HTTPS (allowNets.https). OVHcloud does
 *   not publish how its servers answer a refused address (shared/reference/ovh-exchange-api.md §5b
 *   gives the objects only); the lab answers 401 as Exchange does for any refused login, the
 *   reading that looks most like a wrong password to a client. The service never sends a password
 *   there when EGRESS_ADDRESSES says it is outside (test/integration/auth-refusals.test.ts).
 */
function refusedAnyway(mailbox: MailboxScenario, protocol: HttpLoginProtocol, remote: string | undefined): boolean {
  if (protocol !== 'owa' && mailbox.refuseLegacyAuth?.includes(protocol)) return true;
  const nets = mailbox.allowNets?.https;
  return !!nets && !nets.some((b) => fromBlock(remote, b));
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
