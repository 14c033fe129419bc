// A DKIM key record (`<selector>._domainkey.<domain>` TXT) judged as a verifier would: tag-list
// syntax (RFC 6376 §3.2), the key tags (§3.6.1), the key itself decoded, and the key sizes of
// RFC 8301 §3.2 (verifiers refuse RSA keys under 1024 bits; signers should use 2048 or more).
import { createPublicKey } from 'node:crypto';

/** RSA keys shorter than this are refused by verifiers (RFC 8301 §3.2). */
export const DKIM_RSA_MIN_BITS = 1024;
/** RSA keys shorter than this work but are weak (RFC 8301 §3.2: signers SHOULD use 2048 bits). */
export const DKIM_RSA_GOOD_BITS = 2048;

export interface DkimKey {
  /** `v=` when present (must be DKIM1). */
  version?: string;
  /** `k=`, default rsa. */
  keyType: string;
  /** RSA modulus length in bits. */
  bits?: number;
  /** `p=` is empty: the key was revoked (§3.6.1). */
  revoked: boolean;
  /** `t=y`: the domain is testing DKIM; verifiers may treat signatures as unsigned. */
  testing: boolean;
  /** Why a verifier cannot use this key (empty when it can). */
  problems: string[];
  /** Usable but shorter than DKIM_RSA_GOOD_BITS. */
  weak: boolean;
}

/** RFC 6376 §3.2: `tag=value` pairs separated by `;`, whitespace around them ignored, no duplicates. */
export function parseTagList(text: string): { tags: Map<string, string>; problems: string[] } {
  const tags = new Map<string, string>();
  const problems: string[] = [];
  for (const raw of text.split(';')) {
    const spec = raw.trim();
    if (!spec) continue;
    const eq = spec.indexOf('=');
    if (eq <= 0) { problems.push(`"${spec.slice(0, 40)}" is not tag=value`); continue; }
    const name = spec.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) { problems.push(`"${name.slice(0, 40)}" is not a tag name`); continue; }
    if (tags.has(name)) problems.push(`tag ${name}= appears twice (the whole record is invalid)`);
    tags.set(name, spec.slice(eq + 1).trim());
  }
  return { tags, problems };
}

/** Judges one key record. */
export function parseDkimKey(text: string): DkimKey {
  const { tags, problems } = parseTagList(text);
  const version = tags.get('v');
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  const p = tags.get('p');
  const flags = (tags.get('t') ?? '').split(':').map((f) => f.trim().toLowerCase());
  const out: DkimKey = { keyType, revoked: false, testing: flags.includes('y'), problems, weak: false, ...(version !== undefined ? { version } : {}) };
  // §3.6.1: v= is optional, but when present it must be the first tag and be DKIM1.
  if (version !== undefined && (version !== 'DKIM1' || [...tags.keys()][0] !== 'v')) problems.push(`v=${version} is not "DKIM1" as the first tag`);
  const services = tags.get('s')?.split(':').map((s) => s.trim());
  if (services && !services.includes('*') && !services.includes('email')) problems.push(`s=${tags.get('s')} excludes email`);
  if (p === undefined) { problems.push('no p= tag: not a DKIM key record'); return out; }
  const b64 = p.replace(/\s+/g, '');
  if (b64 === '') { out.revoked = true; problems.push('p= is empty: the key is revoked'); return out; }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) { problems.push('p= is not base64'); return out; }
  const der = Buffer.from(b64, 'base64');
  if (keyType === 'rsa') {
    const bits = rsaBits(der);
    if (bits === undefined) { problems.push('p= does not decode to an RSA public key'); return out; }
    out.bits = bits;
    if (bits < DKIM_RSA_MIN_BITS) problems.push(`the RSA key has ${bits} bits: verifiers refuse keys under ${DKIM_RSA_MIN_BITS} (RFC 8301)`);
    else if (bits < DKIM_RSA_GOOD_BITS) out.weak = true;
  } else if (keyType === 'ed25519') {
    // RFC 8463 §4.2: the raw 32-byte Ed25519 public key.
    if (der.length !== 32) problems.push(`p= holds ${der.length} bytes, not a 32-byte Ed25519 key`);
  } else {
    problems.push(`k=${keyType} is not a key type verifiers know (rsa, ed25519)`);
  }
  return out;
}

/** The modulus length of an RSA key given as SubjectPublicKeyInfo (what tools publish) or PKCS#1 RSAPublicKey. */
function rsaBits(der: Buffer): number | undefined {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType !== 'rsa') return undefined;
      return key.asymmetricKeyDetails?.modulusLength;
    } catch {
      // try the next encoding
    }
  }
  return undefined;
}
