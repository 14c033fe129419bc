import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCredentialGuard } from '../../src/run/credential-guard.js';

test('until one login succeeds, logins are serialised and a rejection stops every other', async () => {
  const g = createCredentialGuard('pw');
  assert.equal(await g.acquire('imap'), 'pw');
  let webmailGot: string | undefined | null = null;
  const waiting = g.acquire('webmail').then((p) => { webmailGot = p; });
  await new Promise((r) => setImmediate(r));
  assert.equal(webmailGot, null, 'second login waits for the first verdict');
  g.failed('imap', 'imap');
  await waiting;
  assert.equal(webmailGot, undefined);
  assert.equal(await g.acquire('send'), undefined);
  assert.deepEqual(g.failedLogins, [{ check: 'imap', protocol: 'imap' }]);
  assert.equal(g.rejectedBy, 'imap');
});

test('after a success every check gets the password at once', async () => {
  const g = createCredentialGuard('pw');
  await g.acquire('imap');
  g.succeeded('imap', 'imap');
  assert.deepEqual(await Promise.all([g.acquire('send'), g.acquire('webmail')]), ['pw', 'pw']);
});

test('a check that ends without a verdict hands its turn to the next', async () => {
  const g = createCredentialGuard('pw');
  await g.acquire('imap');
  const next = g.acquire('send');
  g.release('imap');
  assert.equal(await next, 'pw');
});

test('a refusal keeps what the server said it meant (LOGIN_DISABLED), AUTH_FAILED by default', async () => {
  const g = createCredentialGuard('pw');
  await g.acquire('imap');
  g.failed('imap', 'imap', 'LOGIN_DISABLED');
  assert.equal(g.rejectedBy, 'imap');
  assert.equal(g.rejectedCode, 'LOGIN_DISABLED');
  assert.equal(await g.acquire('send'), undefined);
  const h = createCredentialGuard('pw');
  await h.acquire('send');
  h.failed('send', 'smtp');
  assert.equal(h.rejectedCode, 'AUTH_FAILED');
});
