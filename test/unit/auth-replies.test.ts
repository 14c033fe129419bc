// Every row of the server-reply mapping (src/checks/auth-replies.ts), fed with the exact strings of
// ../shared/reference/exchange-protocol-facts.md §4a, §5 and §6 (and what the lab's Dovecot 2.3 sends).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  imapLoginReplyOf, judgeHttpAuthStatus, judgeImapLoginReply, judgeSmtpAuthReply, parseImapTaggedReply, type AuthReplyVerdict,
} from '../../src/checks/auth-replies.js';
import { parseSmtpReply } from '../../src/net/smtp-reply.js';

const imap = (line: string) => judgeImapLoginReply(parseImapTaggedReply(line)!);
const smtp = (raw: string, step: 'auth' | 'send' = 'auth') => judgeSmtpAuthReply(parseSmtpReply(raw)!, step);
const brief = (v: AuthReplyVerdict | undefined) => v && [v.code, v.judgedPassword];

test('IMAP tagged replies parse into status, response code and text', () => {
  assert.deepEqual(parseImapTaggedReply('A2 NO [AUTHENTICATIONFAILED] Authentication failed.'), { status: 'NO', code: 'AUTHENTICATIONFAILED', text: 'Authentication failed.' });
  assert.deepEqual(parseImapTaggedReply('3 NO LOGIN failed.'), { status: 'NO', text: 'LOGIN failed.' });
  assert.deepEqual(parseImapTaggedReply('a1 BAD Invalid base64'), { status: 'BAD', text: 'Invalid base64' });
  assert.equal(parseImapTaggedReply('* OK Dovecot ready.'), undefined, 'an untagged line is no tagged reply');
  assert.equal(parseImapTaggedReply(undefined), undefined);
});

test('IMAP, Dovecot: [AUTHENTICATIONFAILED] is a failed login that judged the password', () => {
  const v = imap('A1 NO [AUTHENTICATIONFAILED] Authentication failed.');
  assert.deepEqual(brief(v), ['AUTH_FAILED', true]);
  assert.match(v.message, /NO \[AUTHENTICATIONFAILED\] Authentication failed\./, 'the reply is quoted');
});

test('IMAP, Dovecot: [UNAVAILABLE] Temporary authentication failure. → AUTH_UNAVAILABLE, password not judged', () => {
  const v = imap('A1 NO [UNAVAILABLE] Temporary authentication failure. [ex.lab.test:2026-12-01 14:00:00]');
  assert.deepEqual(brief(v), ['AUTH_UNAVAILABLE', false]);
  assert.match(v.message, /not judged/);
});

test('IMAP: [EXPIRED] → PASSWORD_EXPIRED; [CONTACTADMIN] → LOGIN_DISABLED', () => {
  assert.deepEqual(brief(imap('A1 NO [EXPIRED] Password expired')), ['PASSWORD_EXPIRED', true]);
  const v = imap('A1 NO [CONTACTADMIN] Login disabled for this user');
  assert.deepEqual(brief(v), ['LOGIN_DISABLED', true]);
  assert.match(v.message, /Login disabled for this user/);
});

test('IMAP: the decided rows — AUTHORIZATIONFAILED, PRIVACYREQUIRED, LIMIT, SERVERBUG, BAD', () => {
  assert.deepEqual(brief(imap('A1 NO [AUTHORIZATIONFAILED] Authorization failed')), ['LOGIN_DISABLED', true]);
  // Dovecot 2.4 wording (the sheet, §5); our session is always TLS, so this is the server's fault.
  assert.deepEqual(brief(imap('A1 NO [PRIVACYREQUIRED] Cleartext authentication disallowed on non-secure (SSL/TLS) connections.')), ['AUTH_UNAVAILABLE', false]);
  assert.deepEqual(brief(imap('A1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.')), ['AUTH_UNAVAILABLE', false]);
  assert.deepEqual(brief(imap('A1 NO [LIMIT] Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10)')), ['AUTH_UNAVAILABLE', false]);
  assert.deepEqual(brief(imap('A1 NO [SERVERBUG] Internal login failure. Refer to server log for more information.')), ['AUTH_UNAVAILABLE', false]);
  assert.deepEqual(brief(imap('A1 BAD Invalid base64 data in continued response')), ['CHECK_ERROR', false]);
});

test('IMAP, Exchange: "NO LOGIN failed." (no code) → AUTH_FAILED that names what else it can mean', () => {
  for (const line of ['A1 NO LOGIN failed.', 'A1 NO AUTHENTICATE failed.']) {
    const v = imap(line);
    assert.deepEqual(brief(v), ['AUTH_FAILED', true], line);
    assert.match(v.message, /basic authentication disabled for IMAP/);
    assert.match(v.message, /IMAP switched off for this mailbox/);
    assert.match(v.message, /IP restriction/);
  }
});

test('IMAP, Outlook.com: "Account is blocked" → LOGIN_DISABLED', () => {
  const v = imap('A1 NO LOGIN failed. Account is blocked. Login to your account via a web browser to verify your identity.');
  assert.deepEqual(brief(v), ['LOGIN_DISABLED', true]);
});

test('IMAP: a response code we do not know stays AUTH_FAILED, ambiguous', () => {
  const v = imap('A1 NO [XWHATEVER] Go away');
  assert.deepEqual(brief(v), ['AUTH_FAILED', true]);
  assert.match(v.message, /ambiguous/);
});

test('IMAP: the reply is read from the connector evidence, tagged line first, ImapFlow fields otherwise', () => {
  assert.deepEqual(imapLoginReplyOf({ loginResponse: '2 NO [CONTACTADMIN] Login disabled for this user', serverResponseCode: 'CONTACTADMIN' }),
    { status: 'NO', code: 'CONTACTADMIN', text: 'Login disabled for this user' });
  assert.deepEqual(imapLoginReplyOf({ serverResponseCode: 'unavailable', responseStatus: 'NO', responseText: 'Temporary authentication failure.' }),
    { status: 'NO', code: 'UNAVAILABLE', text: 'Temporary authentication failure.' });
  assert.deepEqual(imapLoginReplyOf({ responseStatus: 'NO', responseText: 'LOGIN failed.' }), { status: 'NO', text: 'LOGIN failed.' });
});

test('SMTP, RFC 4954: 535 5.7.8 → AUTH_FAILED', () => {
  const v = smtp('535 5.7.8 Error: authentication failed: authentication failure');
  assert.deepEqual(brief(v), ['AUTH_FAILED', true]);
  assert.match(v!.message, /535 5\.7\.8 Error: authentication failed/);
});

test('SMTP, Exchange: 535 5.7.3 Authentication unsuccessful → AUTH_FAILED, ambiguous, alternatives listed', () => {
  const v = smtp('535 5.7.3 Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]');
  assert.deepEqual(brief(v), ['AUTH_FAILED', true]);
  assert.match(v!.message, /ambiguous/);
  assert.match(v!.message, /SMTP AUTH disabled for this mailbox/);
  assert.match(v!.message, /wrong password/);
});

test('SMTP, Exchange Online: every 535 5.7.139 variant → LEGACY_AUTH_BLOCKED, password not judged', () => {
  const variants = [
    '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0601CA0002.namprd06.prod.outlook.com 2026-12-01T14:00:00.000Z 08DDD30471EE4ED5]',
    '535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BE1P281CA0440.DEUP281.PROD.OUTLOOK.COM 2026-12-01T14:00:00.000Z 08DDD30471EE4ED5]',
    '535 5.7.139 Authentication unsuccessful, user is locked by your organization\'s security defaults policy. Contact your administrator.',
    '535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be authenticated successfully. Contact your administrator.',
  ];
  for (const raw of variants) {
    const v = smtp(raw);
    assert.deepEqual(brief(v), ['LEGACY_AUTH_BLOCKED', false], raw);
    assert.match(v!.message, /SMTP AUTH \/ basic authentication is disabled/);
  }
  // .NET SmtpClient's wrapping (MicrosoftDocs/OfficeDocs-Exchange#3124): still the 5.7.139 refusal.
  const wrapped = judgeSmtpAuthReply({ code: 530, enhanced: '5.7.57', text: 'Client not authenticated to send mail. Error: 535 5.7.139 Authentication unsuccessful, basic authentication is disabled.' });
  assert.deepEqual(brief(wrapped), ['LEGACY_AUTH_BLOCKED', false]);
});

test('SMTP: 530 5.7.57 — refused sending after AUTH is not a password verdict; at AUTH it is an ambiguous refusal', () => {
  const after = smtp('530 5.7.57 Client not authenticated to send mail [SN4PR0601CA0002.namprd06.prod.outlook.com]', 'send');
  assert.deepEqual(brief(after), ['SEND_REJECTED', false]);
  assert.match(after!.message, /did not consider the session authenticated/);
  const atAuth = smtp('530 5.7.57 Client not authenticated to send mail', 'auth');
  assert.deepEqual(brief(atAuth), ['AUTH_FAILED', true]);
  assert.match(atAuth!.message, /ambiguous/);
});

test('SMTP, RFC 4954: 454 4.7.0, 432 4.7.12, 534 5.7.9, 538 5.7.11', () => {
  assert.deepEqual(brief(smtp('454 4.7.0 Temporary authentication failure')), ['AUTH_UNAVAILABLE', false]);
  assert.deepEqual(brief(smtp('432 4.7.12 A password transition is needed')), ['PASSWORD_EXPIRED', true]);
  assert.deepEqual(brief(smtp('534 5.7.9 Authentication mechanism is too weak')), ['LEGACY_AUTH_BLOCKED', false]);
  assert.deepEqual(brief(smtp('538 5.7.11 Encryption required for requested authentication mechanism')), ['AUTH_UNAVAILABLE', false]);
});

test('SMTP: an unknown reply is AUTH_FAILED only as a 5xx at the AUTH step, raw reply quoted, "ambiguous"', () => {
  const v = smtp('550 5.7.1 Go away');
  assert.deepEqual(brief(v), ['AUTH_FAILED', true]);
  assert.match(v!.message, /ambiguous/);
  assert.match(v!.message, /550 5\.7\.1 Go away/);
  assert.deepEqual(brief(smtp('535 Incorrect authentication data')), ['AUTH_FAILED', true]);
  assert.deepEqual(brief(smtp('421 4.4.2 Connection dropped')), ['AUTH_UNAVAILABLE', false], 'a 4xx never judges the password');
  assert.equal(smtp('554 5.7.1 <spammer@healthy.test>: Sender address rejected', 'send'), undefined, 'after AUTH, other refusals are the caller\'s SEND_REJECTED');
});

test('HTTP (EWS), §4a: 401, 403, 456, 457', () => {
  assert.deepEqual(brief(judgeHttpAuthStatus(401)), ['AUTH_FAILED', true]);
  assert.deepEqual(brief(judgeHttpAuthStatus(403)), ['LOGIN_DISABLED', false]);
  assert.deepEqual(brief(judgeHttpAuthStatus(456)), ['LOGIN_DISABLED', true]);
  assert.deepEqual(brief(judgeHttpAuthStatus(457)), ['PASSWORD_EXPIRED', true]);
  assert.equal(judgeHttpAuthStatus(200), undefined);
  assert.equal(judgeHttpAuthStatus(503), undefined, 'a server error is not about the password (WEBMAIL_UNREACHABLE)');
});
