// What a mail server's own answer to a login means: a wrong password, or a right password that is
// refused for another reason (expired, login disabled, basic authentication blocked, the server
// could not check it). Pure: no I/O. The checks keep the exact reply in evidence beside the verdict.
//
// `judgedPassword` is the lockout rule: true when the server ran the credential check and refused
// the login, so that another attempt in this run could only count against the account (the check
// calls ctx.credentials.failed); false when the server did not judge the password (temporary
// failure, basic authentication switched off, TLS demanded although the session was encrypted):
// the guard is left undecided and the other checks may still try.
//
// Sources (exact strings in ../shared/reference/exchange-protocol-facts.md §4a, §5, §6, §6a):
// RFC 5530 (IMAP response codes), RFC 4954 §6 (SMTP AUTH replies), dovecot/core
// src/imap-login/client-authenticate.c and src/login-common/client-common-auth.c (Dovecot's
// mapping), [MS-SMTPNTLM] 2.2.1.4 (Exchange 535 5.7.3), jstedfast/MailKit#711 and #460 (Exchange's
// code-less "NO LOGIN failed."), nodemailer/nodemailer#1484, #1714 and simonrob/email-oauth2-proxy#193
// (Exchange Online 535 5.7.139), mageplaza/magento-2-smtp#268 (530 5.7.57), [MS-ASHTTP] (HTTP 456/457).
import type { Code } from '../diagnostics/codes.js';

export type AuthReplyCode = Extract<Code, 'AUTH_FAILED' | 'AUTH_UNAVAILABLE' | 'PASSWORD_EXPIRED' | 'LOGIN_DISABLED' | 'LEGACY_AUTH_BLOCKED' | 'SEND_REJECTED' | 'CHECK_ERROR'>;

export interface AuthReplyVerdict {
  code: AuthReplyCode;
  /** The server judged the credentials and refused the login: counts as a failed login (lockout). */
  judgedPassword: boolean;
  message: string;
  /** Which row of the mapping decided (for evidence and the README table). */
  rule: string;
}

// ---------------------------------------------------------------------------------------------
// IMAP: the tagged reply to LOGIN/AUTHENTICATE.

export interface ImapLoginReply {
  /** NO or BAD (the tagged status). */
  status?: string;
  /** The response code in brackets, without them (e.g. "AUTHENTICATIONFAILED"), if any. */
  code?: string;
  /** The human-readable text after the code. */
  text?: string;
}

/** Reads a tagged reply line such as `A2 NO [CONTACTADMIN] Login disabled for this user`. */
export function parseImapTaggedReply(line: string | undefined): ImapLoginReply | undefined {
  if (!line) return undefined;
  const m = /^(?![*+]\s)\S+\s+(OK|NO|BAD)\b\s*(?:\[([A-Za-z0-9.-]+)(?:\s[^\]]*)?\]\s*)?(.*)$/i.exec(line.trim());
  if (!m) return undefined;
  return { status: m[1].toUpperCase(), ...(m[2] ? { code: m[2].toUpperCase() } : {}), text: m[3].trim() };
}

const quoteImap = (r: ImapLoginReply) => `${r.status ?? 'NO'}${r.code ? ` [${r.code}]` : ''}${r.text ? ` ${r.text}` : ''}`.slice(0, 300);

/** Exchange's code-less refusal covers all of these ([MS] KB, MailKit#711/#460). */
const EXCHANGE_NO_CODE_ALTERNATIVES =
  'On Exchange and Exchange Online this same reply also means: basic authentication disabled for IMAP, '
  + 'IMAP switched off for this mailbox, or an IP restriction; the password may be right';

export function judgeImapLoginReply(reply: ImapLoginReply, host = 'the IMAP server'): AuthReplyVerdict {
  const said = quoteImap(reply);
  switch (reply.code) {
    case 'AUTHENTICATIONFAILED':
      // RFC 5530: "Authentication failed for some reason on which the server is unwilling to elaborate."
      return { code: 'AUTH_FAILED', judgedPassword: true, rule: 'imap:AUTHENTICATIONFAILED', message: `${host} refused the login: ${said}` };
    case 'UNAVAILABLE':
      // RFC 5530: temporary failure (a backend is down); Dovecot: "Temporary authentication failure."
      return { code: 'AUTH_UNAVAILABLE', judgedPassword: false, rule: 'imap:UNAVAILABLE', message: `${host} could not check the password for now (temporary failure; the password was not judged): ${said}` };
    case 'EXPIRED':
      // RFC 5530: authentication succeeded or the server no longer had the data; either way that passphrase no longer works.
      return { code: 'PASSWORD_EXPIRED', judgedPassword: true, rule: 'imap:EXPIRED', message: `${host} says the password has expired and must be changed: ${said}` };
    case 'CONTACTADMIN':
      // RFC 5530: the user should contact the administrator; Dovecot: passdb `nologin` ("Login disabled for this user").
      return { code: 'LOGIN_DISABLED', judgedPassword: true, rule: 'imap:CONTACTADMIN', message: `${host} says this account may not log in (contact the administrator): ${said}` };
    case 'AUTHORIZATIONFAILED':
      // RFC 5530: the credentials were accepted but may not act as the requested identity. We request
      // no other identity, so the account itself is refused: not a wrong password.
      return { code: 'LOGIN_DISABLED', judgedPassword: true, rule: 'imap:AUTHORIZATIONFAILED', message: `${host} accepted the credentials but does not let this account log in (authorization failed): ${said}` };
    case 'PRIVACYREQUIRED':
      // RFC 5530: TLS needed first. Our session is always TLS with a verified certificate, so the server
      // (or a TLS proxy before it) refuses password logins without checking the password.
      return { code: 'AUTH_UNAVAILABLE', judgedPassword: false, rule: 'imap:PRIVACYREQUIRED', message: `${host} refused to check the password, asking for an encrypted connection although the session was TLS (a server-side configuration fault): ${said}` };
    case 'LIMIT':
      // RFC 5530: an implementation limit; Dovecot at login: a connection limit for the user/IP. Not about the password.
      return { code: 'AUTH_UNAVAILABLE', judgedPassword: false, rule: 'imap:LIMIT', message: `${host} refused the session because of a limit (e.g. too many connections), not the password: ${said}` };
    case 'SERVERBUG':
      // RFC 5530: the server hit an internal error (Dovecot: proxy failure that is not retryable).
      return { code: 'AUTH_UNAVAILABLE', judgedPassword: false, rule: 'imap:SERVERBUG', message: `${host} failed internally before judging the password: ${said}` };
    case undefined:
      if (reply.status === 'BAD') {
        // A protocol error (Dovecot: aborted or invalid base64): our side, nothing about the password.
        return { code: 'CHECK_ERROR', judgedPassword: false, rule: 'imap:BAD', message: `${host} rejected the login command as malformed: ${said}` };
      }
      if (/account is blocked/i.test(reply.text ?? '')) {
        // Outlook.com: "LOGIN failed. Account is blocked. Login to your account via a web browser to verify your identity." (node-imap#799)
        return { code: 'LOGIN_DISABLED', judgedPassword: true, rule: 'imap:account-blocked', message: `${host} says the account is blocked until it is verified in a web browser: ${said}` };
      }
      // Exchange: "NO LOGIN failed." / "NO AUTHENTICATE failed." for every cause alike.
      return { code: 'AUTH_FAILED', judgedPassword: true, rule: 'imap:no-code', message: `${host} refused the login without saying why: ${said}. ${EXCHANGE_NO_CODE_ALTERNATIVES}` };
    default:
      return { code: 'AUTH_FAILED', judgedPassword: true, rule: 'imap:unknown-code', message: `${host} refused the login with a response code we do not know (ambiguous): ${said}` };
  }
}

// ---------------------------------------------------------------------------------------------
// SMTP submission: the reply to AUTH (step 'auth') or a refusal after it (step 'send').

export interface SmtpAuthReply {
  code: number;
  enhanced?: string;
  text: string;
}

const quoteSmtp = (r: SmtpAuthReply) => `${r.code}${r.enhanced ? ` ${r.enhanced}` : ''}${r.text ? ` ${r.text}` : ''}`.slice(0, 300);

/** Exchange Online's basic-auth refusal, in any of its variants (match the prefix, the suffix varies). */
const EXO_BASIC_BLOCKED = /\b5\.7\.139\b/;

/**
 * The verdict for an SMTP reply at `step`; undefined when the reply says nothing about the login
 * (e.g. a 5xx to MAIL FROM other than 5.7.57: the caller reports SEND_REJECTED itself).
 */
export function judgeSmtpAuthReply(reply: SmtpAuthReply, step: 'auth' | 'send' = 'auth', host = 'the submission server'): AuthReplyVerdict | undefined {
  const said = quoteSmtp(reply);
  const { code, enhanced } = reply;
  // 535 5.7.139 (and .NET's "5.7.57 … Error: 535 5.7.139 …" wrapping): EXO refuses basic
  // authentication before looking at the password.
  if ((code === 535 && enhanced === '5.7.139') || EXO_BASIC_BLOCKED.test(reply.text) || enhanced === '5.7.139') {
    return {
      code: 'LEGACY_AUTH_BLOCKED', judgedPassword: false, rule: 'smtp:535 5.7.139',
      message: `${host} answered that SMTP AUTH / basic authentication is disabled (for the tenant, the mailbox or by a security policy); the password was not judged: ${said}`,
    };
  }
  if (code === 530 && enhanced === '5.7.57') {
    // EXO: "Client not authenticated to send mail" — the server did not treat the session as
    // authenticated (AUTH not accepted for submission, or not kept). It refuses the sending, not the password.
    return {
      code: step === 'auth' ? 'AUTH_FAILED' : 'SEND_REJECTED', judgedPassword: step === 'auth', rule: 'smtp:530 5.7.57',
      message: step === 'auth'
        ? `${host} refused the login as not authenticated (ambiguous: wrong password, or SMTP AUTH not allowed for this mailbox): ${said}`
        : `${host} did not consider the session authenticated after AUTH succeeded (SMTP AUTH may be disabled for this mailbox): ${said}`,
    };
  }
  if (step !== 'auth') return undefined;
  if (code === 535 && enhanced === '5.7.8') {
    return { code: 'AUTH_FAILED', judgedPassword: true, rule: 'smtp:535 5.7.8', message: `${host} refused the credentials: ${said}` };
  }
  if (code === 535 && enhanced === '5.7.3') {
    // [MS-SMTPNTLM] 2.2.1.4: Exchange's only AUTH failure, whatever the cause.
    return {
      code: 'AUTH_FAILED', judgedPassword: true, rule: 'smtp:535 5.7.3',
      message: `${host} refused the login (Exchange's 5.7.3 is ambiguous: a wrong password, SMTP AUTH disabled for this mailbox, the account disabled, or an IP restriction): ${said}`,
    };
  }
  if (code === 454 && enhanced === '4.7.0') {
    return { code: 'AUTH_UNAVAILABLE', judgedPassword: false, rule: 'smtp:454 4.7.0', message: `${host} could not check the password for now (temporary authentication failure; the password was not judged): ${said}` };
  }
  if (code === 432 && enhanced === '4.7.12') {
    // RFC 4954: "A password transition is needed": the password must be changed (or used once with PLAIN) before this login works.
    return { code: 'PASSWORD_EXPIRED', judgedPassword: true, rule: 'smtp:432 4.7.12', message: `${host} says a password transition is needed (the password must be changed before it can be used here): ${said}` };
  }
  if (code === 534 && enhanced === '5.7.9') {
    // RFC 4954: the mechanism is weaker than the server's policy for this user: password mechanisms
    // (PLAIN/LOGIN) are refused before the password is looked at, i.e. basic authentication is blocked.
    return { code: 'LEGACY_AUTH_BLOCKED', judgedPassword: false, rule: 'smtp:534 5.7.9', message: `${host} refuses password authentication for this account (mechanism too weak for its policy); the password was not judged: ${said}` };
  }
  if (code === 538 && enhanced === '5.7.11') {
    // RFC 4954: encryption required for the mechanism. Our AUTH always runs inside verified TLS, so
    // this is the server's (or its proxy's) fault, and the password was not checked.
    return { code: 'AUTH_UNAVAILABLE', judgedPassword: false, rule: 'smtp:538 5.7.11', message: `${host} asked for encryption although AUTH ran over TLS (a server-side configuration fault); the password was not judged: ${said}` };
  }
  if (code === 535 && !enhanced) {
    return { code: 'AUTH_FAILED', judgedPassword: true, rule: 'smtp:535', message: `${host} refused the credentials: ${said}` };
  }
  if (code >= 500 && code < 600) {
    return { code: 'AUTH_FAILED', judgedPassword: true, rule: 'smtp:5xx-unknown', message: `${host} refused the login with a reply we do not know (ambiguous; the reply is in the evidence): ${said}` };
  }
  if (code >= 400 && code < 500) {
    return { code: 'AUTH_UNAVAILABLE', judgedPassword: false, rule: 'smtp:4xx-unknown', message: `${host} refused the login for now with a temporary reply (the password was not judged): ${said}` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP (EWS, webmail): the status of the request that carried the password.

export function judgeHttpAuthStatus(status: number, url = 'EWS'): AuthReplyVerdict | undefined {
  switch (status) {
    case 401:
      return { code: 'AUTH_FAILED', judgedPassword: true, rule: 'http:401', message: `${url} rejected the credentials (HTTP 401 after Basic authentication)` };
    case 403:
      // Authenticated, then forbidden by policy (e.g. EWS disabled for this mailbox): not the password.
      return { code: 'LOGIN_DISABLED', judgedPassword: false, rule: 'http:403', message: `${url} answered HTTP 403 to the signed-in request: access to this service is forbidden for the account (e.g. EWS disabled for the mailbox); the password was not refused` };
    case 456:
      // [MS-ASHTTP]: account blocked; EXO traces also show it for "must use multi-factor authentication" (AADSTS50076).
      return { code: 'LOGIN_DISABLED', judgedPassword: true, rule: 'http:456', message: `${url} answered HTTP 456: the account is blocked (or must use multi-factor authentication)` };
    case 457:
      // [MS-ASHTTP]: password expired.
      return { code: 'PASSWORD_EXPIRED', judgedPassword: true, rule: 'http:457', message: `${url} answered HTTP 457: the password has expired` };
    default:
      return undefined;
  }
}

/**
 * The login reply out of the IMAP connector's evidence (src/net/imap.ts): the tagged line as the
 * server sent it when the transcript caught it, else the fields ImapFlow parsed.
 */
export function imapLoginReplyOf(e: Record<string, unknown>): ImapLoginReply {
  const line = typeof e.loginResponse === 'string' ? parseImapTaggedReply(e.loginResponse) : undefined;
  if (line && line.status !== 'OK') return line;
  const code = typeof e.serverResponseCode === 'string' ? e.serverResponseCode.toUpperCase() : undefined;
  const status = typeof e.responseStatus === 'string' ? e.responseStatus.toUpperCase() : 'NO';
  const text = typeof e.responseText === 'string' ? e.responseText : typeof e.loginResponse === 'string' ? e.loginResponse : undefined;
  return { status, ...(code ? { code } : {}), ...(text ? { text } : {}) };
}
