import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, loadConfig, requireSealKey, sha256 } from '../../src/config/index.js';

const sealKey = randomBytes(32).toString('base64');

test('defaults: one validated object with the worker and throttle settings', () => {
  const c = loadConfig({});
  assert.equal(c.REDIS_PREFIX, 'exdiag');
  assert.equal(c.WORKER_CONCURRENCY, 50);
  assert.equal(c.WORKER_LOCK_MS, 30000);
  assert.equal(c.WORKER_STALLED_INTERVAL_MS, 15000);
  assert.equal(c.WORKER_MAX_STALLED, 2);
  assert.equal(c.WORKER_SHUTDOWN_GRACE_MS, 20000);
  assert.equal(c.THROTTLE_MAX, 5);
  assert.ok(c.platforms.has(c.DEFAULT_PLATFORM));
  assert.ok(Object.isFrozen(c));
});

test('API keys become per-client SHA-256 digests', () => {
  const c = loadConfig({ API_KEYS: 'alpha:0123456789abcdef0123, beta:fedcba9876543210fedc,alpha:another-key-of-16-chars' });
  assert.deepEqual([...c.clients.keys()], ['alpha', 'beta']);
  assert.deepEqual(c.clients.get('alpha')!.keyDigests, [sha256('0123456789abcdef0123'), sha256('another-key-of-16-chars')]);
  assert.ok(!JSON.stringify([...c.clients.values()]).includes('0123456789abcdef0123'));
});

test('a short API key or a malformed pair is refused', () => {
  assert.throws(() => loadConfig({ API_KEYS: 'alpha:short' }), ConfigError);
  assert.throws(() => loadConfig({ API_KEYS: 'no-colon-here-at-all-0000' }), ConfigError);
});

test('SEAL_KEY must be 32 bytes; the error does not echo the value', () => {
  const bad = randomBytes(16).toString('base64');
  assert.throws(() => loadConfig({ SEAL_KEY: bad }), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /SEAL_KEY/);
    assert.ok(!err.message.includes(bad));
    return true;
  });
  assert.equal(requireSealKey(loadConfig({ SEAL_KEY: sealKey })).length, 32);
  assert.throws(() => requireSealKey(loadConfig({})), ConfigError);
});

test('numbers are coerced and bounded', () => {
  assert.equal(loadConfig({ WORKER_LOCK_MS: '2000' }).WORKER_LOCK_MS, 2000);
  assert.throws(() => loadConfig({ WORKER_LOCK_MS: '10' }), ConfigError);
  assert.throws(() => loadConfig({ WORKER_CONCURRENCY: '0' }), ConfigError);
  assert.throws(() => loadConfig({ THROTTLE_MAX: '-1' }), ConfigError);
});

test('an unknown DEFAULT_PLATFORM and a bad REDIS_PREFIX are refused', () => {
  assert.throws(() => loadConfig({ DEFAULT_PLATFORM: 'nope' }), /DEFAULT_PLATFORM/);
  assert.throws(() => loadConfig({ REDIS_PREFIX: 'has space' }), ConfigError);
});

test('provider settings are required by the provider that needs them', () => {
  assert.throws(() => loadConfig({ PROVIDER: 'ovhcloud' }), /OVH_APP_KEY/);
  assert.throws(() => loadConfig({ PROVIDER: 'http' }), /PROVIDER_HTTP_URL/);
  assert.equal(loadConfig({ PROVIDER: 'http', PROVIDER_HTTP_URL: 'https://provider.example/v1' }).PROVIDER, 'http');
});
