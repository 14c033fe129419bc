// One SEAL_KEY, two uses kept apart: HKDF derives the key that seals passwords and the key of
// the idempotency HMAC, so neither use can weaken the other. A short key id, derived too, lets a
// sealed value name its key, so SEAL_KEY can rotate while SEAL_KEY_PREVIOUS still opens old ones.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { Config } from '../config/index.js';

export interface DerivedKeys {
  /** Short public digest naming the key (8 base64url characters). */
  kid: string;
  /** AES-256-GCM key of `v2` sealed values. */
  sealing: Buffer;
  /** HMAC-SHA256 key of Idempotency-Key request fingerprints. */
  idempotency: Buffer;
  /** The SEAL_KEY itself: only opens `v1` values and reads pre-upgrade fingerprints. */
  legacy: Buffer;
}

export interface SealKeyring {
  current: DerivedKeys;
  /** SEAL_KEY_PREVIOUS during a rotation: opens and recognises, never seals. */
  previous?: DerivedKeys;
}

/** A keyring, or a bare SEAL_KEY (a keyring without a previous key). */
export type SealKeys = SealKeyring | Buffer;

const SALT = Buffer.from('exchange-diagnostics/seal-key');

export class SealKeyError extends Error {
  override name = 'SealKeyError';
}

export function deriveKeys(master: Buffer): DerivedKeys {
  if (master.length !== 32) throw new SealKeyError('seal key must be 32 bytes');
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', master, SALT, info, 32));
  return {
    kid: createHash('sha256').update(sub('exdiag key id')).digest('base64url').slice(0, 8),
    sealing: sub('exdiag seal v2'),
    idempotency: sub('exdiag idempotency v1'),
    legacy: master,
  };
}

const derived = new WeakMap<Buffer, SealKeyring>();

export function sealKeyring(current: Buffer, previous?: Buffer): SealKeyring {
  if (!previous) {
    let ring = derived.get(current);
    if (!ring) derived.set(current, ring = { current: deriveKeys(current) });
    return ring;
  }
  return { current: deriveKeys(current), ...(previous.equals(current) ? {} : { previous: deriveKeys(previous) }) };
}

/** The keyring of a process that has SEAL_KEY (and maybe SEAL_KEY_PREVIOUS). */
export function sealKeyringOf(config: Pick<Config, 'sealKey' | 'sealKeyPrevious'>): SealKeyring {
  if (!config.sealKey) throw new SealKeyError('SEAL_KEY is not set');
  return sealKeyring(config.sealKey, config.sealKeyPrevious);
}

export const keyringOf = (keys: SealKeys): SealKeyring => (Buffer.isBuffer(keys) ? sealKeyring(keys) : keys);

export interface RequestFingerprint {
  /** `<kid>.<HMAC>` under the current key: what is stored with a new Idempotency-Key. */
  fingerprint: string;
  /** True when a stored fingerprint is this same request under the previous key or a pre-upgrade one. */
  accepts(stored: string): boolean;
}

/**
 * Fingerprint of a request body for Idempotency-Key. Keyed: the body holds the password, a bare
 * hash could be brute-forced. Fingerprints made with the previous key (rotation) or, before key
 * ids existed, with SEAL_KEY itself (those expire within a day of the upgrade) still match.
 */
export function requestFingerprint(keys: SealKeys, canonicalBody: string): RequestFingerprint {
  const ring = keyringOf(keys);
  const mac = (key: Buffer) => createHmac('sha256', key).update(canonicalBody).digest('base64url');
  return {
    fingerprint: `${ring.current.kid}.${mac(ring.current.idempotency)}`,
    accepts(stored) {
      const dot = stored.indexOf('.');
      if (dot < 0) return [ring.current, ring.previous].some((k) => k && mac(k.legacy) === stored);
      const k = [ring.current, ring.previous].find((x) => x?.kid === stored.slice(0, dot));
      return !!k && `${k.kid}.${mac(k.idempotency)}` === stored;
    },
  };
}
