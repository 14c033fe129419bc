import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { seal, SealError, unseal } from '../../src/queue/seal.js';

const key = randomBytes(32);
const password = 'Pässwörd-with-ünicode-💡';

test('seal → unseal gives the password back, and the sealed form does not contain it', () => {
  const s = seal(key, password, 'diag-1');
  assert.equal(unseal(key, s, 'diag-1'), password);
  assert.ok(!s.includes(password));
  assert.ok(!s.includes(Buffer.from(password).toString('base64')));
  assert.match(s, /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
});

test('every seal uses a fresh IV: the same password seals differently', () => {
  assert.notEqual(seal(key, password, 'd'), seal(key, password, 'd'));
});

test('a sealed password opens only for its own diagnostic (AAD)', () => {
  const s = seal(key, password, 'diag-1');
  assert.throws(() => unseal(key, s, 'diag-2'), SealError);
});

test('another key cannot open it, and the error does not echo anything secret', () => {
  const s = seal(key, password, 'd');
  assert.throws(() => unseal(randomBytes(32), s, 'd'), (err: Error) => {
    assert.ok(err instanceof SealError);
    assert.ok(!err.message.includes(password) && !err.message.includes(s));
    return true;
  });
});

test('tampering with any part is detected', () => {
  const s = seal(key, password, 'd');
  const parts = s.split('.');
  for (let i = 1; i < 4; i++) {
    const bytes = Buffer.from(parts[i], 'base64url');
    bytes[0] ^= 1;
    const t = [...parts];
    t[i] = bytes.toString('base64url');
    assert.throws(() => unseal(key, t.join('.'), 'd'), SealError, `part ${i}`);
  }
});

test('unknown formats and wrong key sizes are refused', () => {
  assert.throws(() => unseal(key, 'not-sealed', 'd'), SealError);
  assert.throws(() => unseal(key, 'v2.a.b.c', 'd'), SealError);
  assert.throws(() => seal(randomBytes(16), 'x', 'd'), SealError);
});

test('an empty password and a 256-character one round-trip', () => {
  assert.equal(unseal(key, seal(key, '', 'd'), 'd'), '');
  const long = 'x'.repeat(256);
  assert.equal(unseal(key, seal(key, long, 'd'), 'd'), long);
});
