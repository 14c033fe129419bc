import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { deriveKeys, requestFingerprint, sealKeyring } from '../../src/queue/keyring.js';
import { seal, SealError, unseal } from '../../src/queue/seal.js';

const key = randomBytes(32);
const password = 'Pässwörd-with-ünicode-💡';

/** A value sealed the way the previous release did (v1: AES-256-GCM under SEAL_KEY itself). */
function sealV1(k: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', k, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

test('seal → unseal gives the password back, and the sealed form does not contain it', () => {
  const s = seal(key, password, 'diag-1');
  assert.equal(unseal(key, s, 'diag-1'), password);
  assert.ok(!s.includes(password));
  assert.ok(!s.includes(Buffer.from(password).toString('base64')));
  assert.match(s, /^v2\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
});

test('the key id is a short digest: stable for a key, different for another, not the key', () => {
  const kid = seal(key, 'x', 'd').split('.')[1];
  assert.equal(kid, deriveKeys(key).kid);
  assert.equal(seal(sealKeyring(key), 'y', 'e').split('.')[1], kid);
  assert.notEqual(deriveKeys(randomBytes(32)).kid, kid);
  assert.ok(!key.toString('base64url').includes(kid));
});

test('sealing and idempotency use two different keys derived from SEAL_KEY, neither SEAL_KEY itself', () => {
  const d = deriveKeys(key);
  assert.notDeepEqual(d.sealing, d.idempotency);
  assert.notDeepEqual(d.sealing, key);
  assert.notDeepEqual(d.idempotency, key);
  // A v2 value does not open with SEAL_KEY used directly.
  const s = seal(key, password, 'd').split('.');
  assert.throws(() => unseal(key, sealV1Like(s), 'd'), SealError);
  // The fingerprint is not an HMAC under SEAL_KEY (the pre-split form).
  const fp = requestFingerprint(key, '{"a":1}').fingerprint;
  assert.ok(!fp.includes(createHmac('sha256', key).update('{"a":1}').digest('base64url')));
  assert.match(fp, new RegExp(`^${d.kid}\\.`));
});

/** The v2 parts re-labelled as v1: what the raw key would have to open. */
const sealV1Like = (parts: string[]) => ['v1', ...parts.slice(2)].join('.');

test('rotation: a new key seals; the previous one still opens what it sealed; a process without it cannot', () => {
  const old = randomBytes(32);
  const sealedBefore = seal(old, password, 'd');
  const ring = sealKeyring(key, old);
  assert.equal(unseal(ring, sealedBefore, 'd'), password);
  const sealedAfter = seal(ring, password, 'd');
  assert.equal(sealedAfter.split('.')[1], deriveKeys(key).kid, 'the current key seals');
  assert.equal(unseal(key, sealedAfter, 'd'), password);
  assert.throws(() => unseal(key, sealedBefore, 'd'), (err: Error) => {
    assert.ok(err instanceof SealError);
    assert.match(err.message, new RegExp(`key id ${deriveKeys(old).kid}`));
    return true;
  });
});

test('v1 values of the previous release still open, with the current or the previous key', () => {
  const old = randomBytes(32);
  assert.equal(unseal(key, sealV1(key, password, 'd'), 'd'), password);
  assert.equal(unseal(sealKeyring(key, old), sealV1(old, password, 'd'), 'd'), password);
  assert.throws(() => unseal(key, sealV1(old, password, 'd'), 'd'), SealError);
  assert.throws(() => unseal(key, sealV1(key, password, 'd'), 'other'), SealError);
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
    assert.ok(!err.message.includes(password) && !err.message.includes(s.split('.').slice(2).join('.')));
    return true;
  });
});

test('tampering with any part is detected', () => {
  const s = seal(key, password, 'd');
  const parts = s.split('.');
  for (let i = 2; i < 5; i++) {
    const bytes = Buffer.from(parts[i], 'base64url');
    bytes[0] ^= 1;
    const t = [...parts];
    t[i] = bytes.toString('base64url');
    assert.throws(() => unseal(key, t.join('.'), 'd'), SealError, `part ${i}`);
  }
  assert.throws(() => unseal(key, ['v2', 'AAAAAAAA', ...parts.slice(2)].join('.'), 'd'), SealError, 'key id');
  assert.throws(() => unseal(key, ['v1', ...parts.slice(2)].join('.'), 'd'), SealError, 'version');
});

test('unknown formats and wrong key sizes are refused', () => {
  assert.throws(() => unseal(key, 'not-sealed', 'd'), SealError);
  assert.throws(() => unseal(key, 'v2.a.b.c', 'd'), SealError);
  assert.throws(() => unseal(key, 'v3.a.b.c.d', 'd'), SealError);
  assert.throws(() => seal(randomBytes(16), 'x', 'd'), SealError);
});

test('an empty password and a 256-character one round-trip', () => {
  assert.equal(unseal(key, seal(key, '', 'd'), 'd'), '');
  const long = 'x'.repeat(256);
  assert.equal(unseal(key, seal(key, long, 'd'), 'd'), long);
});

test('idempotency fingerprints: same body same value; the previous key\'s and pre-upgrade ones are recognised', () => {
  const old = randomBytes(32);
  const body = '{"account":"a@b.test","password":"p"}';
  const now = requestFingerprint(sealKeyring(key, old), body);
  assert.equal(now.fingerprint, requestFingerprint(key, body).fingerprint);
  assert.notEqual(now.fingerprint, requestFingerprint(key, `${body} `).fingerprint);
  assert.ok(now.accepts(requestFingerprint(old, body).fingerprint), 'made with the previous key');
  assert.ok(now.accepts(createHmac('sha256', key).update(body).digest('base64url')), 'made before key ids (HMAC under SEAL_KEY)');
  assert.ok(!now.accepts(requestFingerprint(old, '{}').fingerprint), 'another body');
  assert.ok(!now.accepts(requestFingerprint(randomBytes(32), body).fingerprint), 'an unknown key');
  assert.ok(!requestFingerprint(key, body).accepts(requestFingerprint(old, body).fingerprint), 'the previous key once it is gone');
});
