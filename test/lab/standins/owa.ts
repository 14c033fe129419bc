// Outlook on the web stand-in: the forms-based sign-in page, the POST to /owa/auth.owa and its
// redirects (reason=2 on a bad password), and a session cookie that opens the mailbox page.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AuthLog } from './auth-log.js';
import { checkPassword, NO_BASIC_HOSTS, sendUnauthorized } from './exchange-auth.js';
import { send, sendEmpty, type StandinRequest } from './http-util.js';
import { escapeXml } from './xml.js';

const HTML = 'text/html; charset=utf-8';
const LOGON = '/owa/auth/logon.aspx';

function logonPage(reason: string | null): string {
  const message = reason === '2' ? '<div id="signInErrorDiv" class="signInError" role="alert">The user name or password you entered isn\'t correct. Try entering it again.</div>' : '';
  return `<!DOCTYPE html>
<html dir="ltr" class="signInBg"><head><meta http-equiv="X-UA-Compatible" content="IE=10"><title>Outlook</title></head>
<body class="signInBg"><noscript><div id="dvErr">To use Outlook, browser settings must allow scripts to run.</div></noscript>
<form action="/owa/auth.owa" method="POST" name="logonForm" enctype="application/x-www-form-urlencoded" autocomplete="off">
<input type="hidden" name="destination" value="/owa/">
<input type="hidden" name="flags" value="4">
<input type="hidden" name="forcedownlevel" value="0">
<div class="signInInputLabel" id="userNameLabel">Domain\\user name:</div>
<input id="username" name="username" type="text" placeholder="Domain\\user name">
<div class="signInInputLabel" id="passwordLabel">Password:</div>
<input id="password" name="password" type="password" placeholder="Password">
<input type="hidden" name="passwordText" value="">
<input type="hidden" name="isUtf8" value="1">
${message}
<div class="signInEnter"><div onclick="clkLgn()" class="signinbutton" role="button" tabindex="0"><span class="signinTxt">sign in</span></div></div>
</form></body></html>
`;
}

const mailboxPage = (address: string) => `<!DOCTYPE html>
<html><head><title>Mail - ${escapeXml(address)} - Outlook</title></head>
<body><div id="owaMailbox" data-user="${escapeXml(address)}"><h1>Inbox</h1></div></body></html>
`;

const cookies = (req: StandinRequest): Map<string, string> => {
  const jar = new Map<string, string>();
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) jar.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return jar;
};

export interface Owa {
  handle(req: StandinRequest, res: ServerResponse): Promise<void>;
}

export function owa(log: AuthLog): Owa {
  /** Session id → mailbox address, for the life of the stand-ins. */
  const sessions = new Map<string, string>();
  return {
    async handle(req, res) {
      if (NO_BASIC_HOSTS.has(req.host)) return sendUnauthorized(req, res);
      const path = req.path.toLowerCase();
      if (path === '/owa' && req.method === 'GET') return sendEmpty(res, 301, { Location: '/owa/' });
      if (path === '/owa/auth.owa') {
        if (req.method !== 'POST') return sendEmpty(res, 302, { Location: LOGON });
        const form = new URLSearchParams(req.body.toString('utf8'));
        const user = form.get('username') ?? '';
        const destination = form.get('destination') || '/owa/';
        const mailbox = checkPassword(user, form.get('password') ?? '');
        if (!mailbox) {
          await log.failed(user, 'owa');
          return sendEmpty(res, 302, { Location: `${LOGON}?replaceCurrent=1&reason=2&url=${encodeURIComponent(destination)}` });
        }
        const id = randomBytes(24).toString('hex');
        sessions.set(id, mailbox.address);
        return sendEmpty(res, 302, {
          Location: destination.startsWith('/') ? destination : '/owa/',
          'Set-Cookie': [`cadata=${id}; path=/; secure; HttpOnly`, `sessionid=${id.slice(0, 16)}; path=/; secure; HttpOnly`],
        });
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, HTML, '<h1>405 Method Not Allowed</h1>', { Allow: 'GET' });
      if (path === LOGON) return send(res, 200, HTML, logonPage(req.query.get('reason')));
      const session = sessions.get(cookies(req).get('cadata') ?? '');
      if (path === '/owa/' && session) return send(res, 200, HTML, mailboxPage(session));
      if (path === '/owa/') return send(res, 200, HTML, logonPage(null));
      return send(res, 404, HTML, '<h1>404 - File or directory not found.</h1>');
    },
  };
}
