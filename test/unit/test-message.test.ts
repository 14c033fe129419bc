import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestMessage, newToken, TOKEN_HEADER } from '../../src/checks/mail/test-message.js';

test('tokens are unique and header-safe', () => {
  const a = newToken();
  assert.notEqual(a, newToken());
  assert.match(a, /^exdiag-[0-9a-f]{24}$/);
});

test('the message carries the token in a header and in the subject, with CRLF line ends', () => {
  const token = newToken();
  const m = buildTestMessage({ from: 'postmaster@diagnostics.invalid', to: 'healthy@healthy.test', token, purpose: 'receive', diagnosticId: 'd-1\r\nBcc: x@y' });
  assert.ok(m.includes(`\r\n${TOKEN_HEADER}: ${token}\r\n`));
  assert.match(m, new RegExp(`\\r\\nSubject: \\[exdiag ${token}\\]`));
  assert.ok(!/\r\nBcc:/.test(m), 'the diagnostic id cannot inject headers');
  assert.ok(!/[^\r]\n/.test(m), 'bare LF');
  const [head] = m.split('\r\n\r\n');
  assert.ok(head.includes('Message-ID: <') && head.includes('Date: '));
});
