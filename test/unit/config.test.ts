import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

test('the frozen config keeps no raw API key nor the raw sealing key', () => {
  const c = loadConfig({ API_KEYS: 'alpha:0123456789abcdef0123', SEAL_KEY: sealKey });
  assert.ok(!('API_KEYS' in c) && !('SEAL_KEY' in c));
  assert.ok(!JSON.stringify(c).includes('0123456789abcdef0123'));
  assert.equal(c.sealKey?.length, 32);
});

test('DNS_SERVERS takes IP addresses with optional ports, nothing else', () => {
  assert.deepEqual(loadConfig({ DNS_SERVERS: '127.0.0.1:15353, 9.9.9.9,[2001:db8::1]:53,2001:db8::2' }).DNS_SERVERS,
    ['127.0.0.1:15353', '9.9.9.9', '[2001:db8::1]:53', '2001:db8::2']);
  for (const bad of ['dns.example', '127.0.0.1:99999', '300.1.1.1']) {
    assert.throws(() => loadConfig({ DNS_SERVERS: bad }), (e: Error) => e instanceof ConfigError && /DNS_SERVERS/.test(e.message), bad);
  }
});

test('platform profiles: a file overrides and adds profiles; an invalid one fails with the file, profile and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exdiag-platforms-'));
  try {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, [
      'private-acme:',
      '  label: Private Exchange of ACME',
      '  server: ex9.mail.example.net',
      '  mx: [mx1.example.net, "{server}"]',
      '  srv: { target: "{server}" }',
      '  imap: { host: "{server}", port: 993 }',
      '  smtp: { host: "{server}", port: 587 }',
      '  ews: https://{server}/EWS/Exchange.asmx',
      '  owa: https://{server}/owa/',
    ].join('\n'));
    const c = loadConfig({ PLATFORMS_FILE: good, DEFAULT_PLATFORM: 'private-acme' });
    assert.equal(c.platforms.get('private-acme')?.srv.port, 443, 'defaults apply inside a profile');
    assert.ok(c.platforms.has('hosted-eu'), 'built-in profiles stay');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'broken:\n  label: x\n  server: "not a host!"\n  mx: []\n');
    assert.throws(() => loadConfig({ PLATFORMS_FILE: bad }), (e: Error) =>
      e instanceof ConfigError && /PLATFORMS_FILE/.test(e.message) && /broken\.server/.test(e.message) && /broken\.mx/.test(e.message));
    assert.throws(() => loadConfig({ PLATFORMS_FILE: join(dir, 'missing.yaml') }), (e: Error) => e instanceof ConfigError && /missing\.yaml/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty variable counts as unset (compose passes ${FOO:-})', () => {
  const c = loadConfig({ CLIENTS_FILE: '', PROVIDER_HTTP_URL: '', DNS_SERVERS: '', PORT: '' });
  assert.equal(c.CLIENTS_FILE, undefined);
  assert.equal(c.PORT, 8080);
  assert.deepEqual(c.DNS_SERVERS, []);
});

test('CLIENTS_FILE policy: safe defaults, per-client fields, typos and unknown platforms refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exdiag-clients-'));
  try {
    const file = join(dir, 'clients.json');
    writeFileSync(file, JSON.stringify([
      { id: 'panel', platforms: ['hosted-eu'], serverOverride: 'none', accountDomains: ['Example.com', '*.example.net'], rateLimit: { max: 10, windowSeconds: 30 }, maxActive: 3 },
      { id: 'free', rateLimit: { max: 0, windowSeconds: 60 }, maxActive: 0 },
    ]));
    const c = loadConfig({ API_KEYS: 'keyonly:0123456789abcdef0123', CLIENTS_FILE: file, CLIENT_MAX_ACTIVE: '7' });
    // A client known only from API_KEYS gets the deployment defaults.
    assert.deepEqual(c.clients.get('keyonly')!.policy, { serverOverride: 'platform', maxActive: 7, rateLimit: { max: 120, windowSeconds: 60 } });
    assert.deepEqual(c.clients.get('panel')!.policy, {
      serverOverride: 'none', maxActive: 3, platforms: ['hosted-eu'], accountDomains: ['example.com', '*.example.net'], rateLimit: { max: 10, windowSeconds: 30 },
    });
    assert.deepEqual(c.clients.get('free')!.policy, { serverOverride: 'platform', maxActive: 0 }, 'max 0 = no rate limit');
    assert.equal(loadConfig({ API_KEYS: 'k:0123456789abcdef0123', CLIENT_RATE_LIMIT_MAX: '0' }).clients.get('k')!.policy.rateLimit, undefined);

    const refused = (entry: unknown, pattern: RegExp) => {
      writeFileSync(file, JSON.stringify([entry]));
      assert.throws(() => loadConfig({ CLIENTS_FILE: file }), (e: Error) => e instanceof ConfigError && /CLIENTS_FILE/.test(e.message) && pattern.test(e.message), JSON.stringify(entry));
    };
    refused({ id: 'x', platfroms: ['hosted-eu'] }, /platfroms/);
    refused({ id: 'x', platforms: ['nowhere'] }, /unknown profile nowhere/);
    refused({ id: 'x', serverOverride: 'sometimes' }, /serverOverride/);
    refused({ id: 'x', accountDomains: ['*.'] }, /accountDomains/);
    refused({ id: 'x', rateLimit: { max: -1, windowSeconds: 60 } }, /rateLimit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('THROTTLE_ACCOUNT_MAX follows THROTTLE_MAX unless set; METRICS_TOKEN must be long enough', () => {
  assert.equal(loadConfig({}).THROTTLE_ACCOUNT_MAX, undefined);
  assert.equal(loadConfig({ THROTTLE_ACCOUNT_MAX: '8' }).THROTTLE_ACCOUNT_MAX, 8);
  assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
  assert.equal(loadConfig({ METRICS_TOKEN: 'a-long-enough-metrics-token' }).METRICS_TOKEN, 'a-long-enough-metrics-token');
});
