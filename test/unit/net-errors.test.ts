import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyNetError } from '../../src/net/errors.js';

const err = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

test('certificate failures are TLS problems, with the most specific code', () => {
  assert.deepEqual(classifyNetError(err('certificate has expired', { code: 'CERT_HAS_EXPIRED' })).kind, 'tls');
  // nodemailer replaces the code with its category and keeps the original one aside
  const wrapped = classifyNetError(err('certificate has expired', { code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }));
  assert.deepEqual([wrapped.kind, wrapped.code], ['tls', 'CERT_HAS_EXPIRED']);
  const altname = classifyNetError(err('Hostname/IP does not match certificate\'s altnames', { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }));
  assert.deepEqual([altname.kind, altname.code], ['tls', 'ERR_TLS_CERT_ALTNAME_INVALID']);
  const imap = classifyNetError(err('Failed to establish TLS', { tlsFailed: true, _err: err('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) }));
  assert.deepEqual([imap.kind, imap.code], ['tls', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
  const cause = classifyNetError(err('connect failed', { cause: err('unable to verify the first certificate', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }) }));
  assert.equal(cause.kind, 'tls');
});

test('refused, reset and unresolvable servers are unreachable; timeouts are timeouts', () => {
  assert.equal(classifyNetError(err('connect ECONNREFUSED 127.0.0.9:10993', { code: 'ECONNREFUSED' })).kind, 'unreachable');
  assert.equal(classifyNetError(err('Connection closed', { code: 'ESOCKET', originalCode: 'ECONNRESET' })).kind, 'unreachable');
  assert.equal(classifyNetError(err('Greeting never received', { code: 'GREETING_TIMEOUT' })).kind, 'timeout');
  assert.equal(classifyNetError(err('Connection timeout', { code: 'ETIMEDOUT' })).kind, 'timeout');
});

test('anything else is "other", not a finding about the server', () => {
  const r = classifyNetError(new TypeError('x is not a function'));
  assert.equal(r.kind, 'other');
  assert.equal(classifyNetError('weird').kind, 'other');
});
