// Passwords cross Redis only sealed: AES-256-GCM under a key derived from SEAL_KEY (keyring.ts),
// bound to the diagnostic id (AAD) so a sealed value cannot be replayed onto another diagnostic.
// The value names its key (kid), so SEAL_KEY can rotate with SEAL_KEY_PREVIOUS set meanwhile.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyringOf, SealKeyError, type SealKeys } from './keyring.js';

export class SealError extends Error {
  override name = 'SealError';
}

const IV_BYTES = 12;
/** IVs per draw from the CSPRNG: one randomBytes call (a native call, ~4 % of a POST when made per seal) per 256 seals. */
const IV_POOL = 256;
let ivPool = Buffer.alloc(0);
let ivAt = 0;

/**
 * A fresh random 96-bit IV (NIST SP 800-38D §8.2.2, random IV construction): 12 bytes of CSPRNG
 * output never handed out before. They are drawn in batches, as crypto.randomUUID() batches its
 * randomness; a used batch is dropped, never refilled in place (an IV already returned keeps its bytes).
 */
function nextIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * IV_POOL);
    ivAt = 0;
  }
  const iv = ivPool.subarray(ivAt, ivAt + IV_BYTES);
  ivAt += IV_BYTES;
  return iv;
}

/** Returns `v2.<kid>.<iv>.<tag>.<ciphertext>` (base64url parts). */
export function seal(keys: SealKeys, plaintext: string, context: string): string {
  const { kid, sealing } = ring(keys).current;
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', sealing, iv);
  cipher.setAAD(aad('v2', kid, context));
  const head = cipher.update(plaintext, 'utf8');
  const tail = cipher.final(); // empty for GCM (a stream mode)
  const ct = tail.length ? Buffer.concat([head, tail]) : head;
  return `v2.${kid}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`;
}

/**
 * Opens `v2` values sealed with the current or the previous key, and `v1` values (SEAL_KEY used
 * directly, before key ids): jobs queued by an API of the previous release must still run.
 */
export function unseal(keys: SealKeys, sealed: string, context: string): string {
  const r = ring(keys);
  const parts = sealed.split('.');
  if (parts[0] === 'v2' && parts.length === 5) {
    const k = [r.current, r.previous].find((x) => x?.kid === parts[1]);
    // Never echo the input: it is key material's neighbour. The key id is public.
    if (!k) throw new SealError(`sealed with a key this process does not have (key id ${/^[A-Za-z0-9_-]{8}$/.test(parts[1]) ? parts[1] : '?'})`);
    return open(k.sealing, parts.slice(2), aad('v2', k.kid, context));
  }
  if (parts[0] === 'v1' && parts.length === 4) {
    for (const k of [r.current, r.previous]) {
      if (!k) continue;
      try { return open(k.legacy, parts.slice(1), Buffer.from(context, 'utf8')); } catch { /* next key */ }
    }
    throw new SealError('sealed value cannot be opened with this key (wrong SEAL_KEY or tampered data)');
  }
  throw new SealError('sealed value has an unknown format');
}

function ring(keys: SealKeys) {
  try {
    return keyringOf(keys);
  } catch (err) {
    if (err instanceof SealKeyError) throw new SealError(err.message);
    throw err;
  }
}

/** The version and key id are authenticated along with the diagnostic id. */
const aad = (version: string, kid: string, context: string) => Buffer.from(`${version}.${kid}.${context}`, 'utf8');

function open(key: Buffer, [ivB, tagB, ctB]: string[], additional: Buffer): string {
  const [iv, tag, ct] = [ivB, tagB, ctB].map((p) => Buffer.from(p, 'base64url'));
  if (iv.length !== 12 || tag.length !== 16) throw new SealError('sealed value has an unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(additional);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError('sealed value cannot be opened with this key (wrong SEAL_KEY or tampered data)');
  }
}
