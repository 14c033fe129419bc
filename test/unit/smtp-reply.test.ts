import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAuthRejection, parseSmtpReply, replyClass, replyOfError } from '../../src/net/smtp-reply.js';

test('parses a single-line reply with an enhanced status code', () => {
  const r = parseSmtpReply('554 5.7.1 <spammer@healthy.test>: Sender address rejected: blocked for spam\r\n');
  assert.deepEqual(r && { code: r.code, enhanced: r.enhanced, text: r.text }, {
    code: 554, enhanced: '5.7.1', text: '<spammer@healthy.test>: Sender address rejected: blocked for spam',
  });
});

test('parses multi-line replies and keeps every line of text', () => {
  const r = parseSmtpReply('450-4.7.1 Greylisted, please\r\n450-4.7.1 try again\r\n450 4.7.1 later\r\n');
  assert.equal(r?.code, 450);
  assert.equal(r?.enhanced, '4.7.1');
  assert.equal(r?.text, 'Greylisted, please try again later');
});

test('a reply without an enhanced code still parses', () => {
  const r = parseSmtpReply('535 Authentication failed');
  assert.equal(r?.code, 535);
  assert.equal(r?.enhanced, undefined);
  assert.equal(r?.text, 'Authentication failed');
});

test('text that is not an SMTP reply is rejected', () => {
  assert.equal(parseSmtpReply('Connection closed unexpectedly'), undefined);
  assert.equal(parseSmtpReply(''), undefined);
  assert.equal(parseSmtpReply(undefined), undefined);
});

test('reply classes follow RFC 5321 first digits', () => {
  assert.equal(replyClass(250), 'ok');
  assert.equal(replyClass(354), 'intermediate');
  assert.equal(replyClass(450), 'transient');
  assert.equal(replyClass(554), 'permanent');
  assert.equal(replyClass(undefined), 'unknown');
});

test('only 535 or 5.7.8 count as refused credentials', () => {
  assert.equal(isAuthRejection(parseSmtpReply('535 5.7.8 Error: authentication failed: authentication failure')), true);
  assert.equal(isAuthRejection(parseSmtpReply('535 Incorrect authentication data')), true);
  assert.equal(isAuthRejection(parseSmtpReply('554 5.7.1 Sender address rejected')), false);
  assert.equal(isAuthRejection(parseSmtpReply('454 4.7.0 Temporary authentication failure')), false);
});

test('reads the reply out of a nodemailer error, or of its first rejected recipient', () => {
  const direct = replyOfError(Object.assign(new Error('Message failed'), { code: 'EMESSAGE', response: '554 5.7.1 rejected', responseCode: 554, command: 'DATA' }));
  assert.deepEqual(direct && { code: direct.code, enhanced: direct.enhanced, command: direct.command }, { code: 554, enhanced: '5.7.1', command: 'DATA' });
  const rcpt = replyOfError(Object.assign(new Error('Can\'t send mail - all recipients were rejected'), {
    code: 'EENVELOPE',
    rejectedErrors: [Object.assign(new Error('Recipient command failed'), { response: '450 4.7.1 <delayed@healthy.test>: Recipient address rejected: greylisted', responseCode: 450, command: 'RCPT TO' })],
  }));
  assert.equal(rcpt?.code, 450);
  assert.equal(rcpt?.command, 'RCPT TO');
  assert.equal(replyOfError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' })), undefined);
});
