// Signatures checked against an independent implementation of the Standard Webhooks spec
// (hand-written HMAC here, not the library that signs).
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { describe, it } from 'node:test';
import { signWebhook, WebhookSecretError } from '../../src/webhooks/signing.js';

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Spec: signature = base64(HMAC-SHA256(base64decode(secret without whsec_), `${id}.${ts}.${body}`)). */
function verify(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest();
  return headers['webhook-signature'].split(' ').some((part) => {
    const [version, sig] = part.split(',');
    const got = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

describe('signWebhook', () => {
  const body = JSON.stringify({ type: 'diagnostic.completed', data: { x: 'é' } });
  it('produces headers a spec-compliant receiver accepts', () => {
    const s = newSecret();
    const at = new Date('2030-01-02T03:04:05.678Z');
    const h = signWebhook([s], 'msg_1', at, body);
    assert.equal(h['webhook-id'], 'msg_1');
    assert.equal(h['webhook-timestamp'], String(Math.floor(at.getTime() / 1000)));
    assert.match(h['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
    assert.ok(verify(s, { ...h }, body));
  });
  it('fails verification when the body, id or timestamp changes, or with another secret', () => {
    const s = newSecret();
    const h = { ...signWebhook([s], 'msg_2', new Date(), body) };
    assert.equal(verify(s, h, `${body} `), false);
    assert.equal(verify(s, { ...h, 'webhook-id': 'msg_3' }, body), false);
    assert.equal(verify(s, { ...h, 'webhook-timestamp': String(Number(h['webhook-timestamp']) + 1) }, body), false);
    assert.equal(verify(newSecret(), h, body), false);
  });
  it('signs with every secret during a rotation (space-separated)', () => {
    const [oldS, newS] = [newSecret(), newSecret()];
    const h = { ...signWebhook([newS, oldS], 'msg_4', new Date(), body) };
    assert.equal(h['webhook-signature'].split(' ').length, 2);
    assert.ok(verify(oldS, h, body), 'a receiver still on the old secret accepts');
    assert.ok(verify(newS, h, body), 'a receiver on the new secret accepts');
  });
  it('refuses to sign without a secret, and never quotes a bad secret', () => {
    assert.throws(() => signWebhook([], 'm', new Date(), body), WebhookSecretError);
    assert.throws(() => signWebhook(['whsec_@@notbase64@@'], 'm', new Date(), body), (e: Error) => !e.message.includes('notbase64'));
  });
});
