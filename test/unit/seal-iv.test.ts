// The sealing IVs are drawn from the CSPRNG in batches (queue/seal.ts): across several batches,
// every IV is 12 bytes, none repeats, each value still opens, and an IV handed out earlier keeps
// its bytes when the next batch is drawn (the sealed values already written must stay valid).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { seal, unseal } from '../../src/queue/seal.js';

const key = randomBytes(32);

test('IVs from batched randomness: 12 bytes, unique over several batches, every value opens', () => {
  const n = 256 * 4 + 7; // more than four batches of 256
  const ivs = new Set<string>();
  const sealed: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = seal(key, `pw-${i}`, `diag-${i}`);
    const iv = Buffer.from(s.split('.')[2], 'base64url');
    assert.equal(iv.length, 12);
    ivs.add(iv.toString('hex'));
    sealed.push(s);
  }
  assert.equal(ivs.size, n, 'no IV was handed out twice');
  // Opened after every batch was drawn: nothing sealed earlier changed under it.
  sealed.forEach((s, i) => assert.equal(unseal(key, s, `diag-${i}`), `pw-${i}`));
  // Not a counter or a constant pattern: the bytes of consecutive IVs differ all over.
  const [a, b] = sealed.slice(0, 2).map((s) => Buffer.from(s.split('.')[2], 'base64url'));
  assert.ok([...a].filter((x, i) => x !== b[i]).length >= 6, 'consecutive IVs look random');
});
