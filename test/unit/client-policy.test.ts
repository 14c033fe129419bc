// The client policy's rules on their own: which server names a platform admits, which mailbox
// domains a pattern admits, and the 403 codes a request that breaks them gets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPlatformFor, domainAllowed, enforceClientPolicy, platformHosts, serverAllowed } from '../../src/api/client-policy.js';
import { ProblemError } from '../../src/api/problem.js';
import type { ClientPolicy } from '../../src/config/index.js';
import { defaultProfiles } from '../../src/platforms/defaults.js';
import { profileSchema } from '../../src/platforms/profile.js';

const hostedEu = profileSchema.parse(defaultProfiles['hosted-eu']);
const policy = (p: Partial<ClientPolicy> = {}): ClientPolicy => ({ serverOverride: 'platform', maxActive: 0, ...p });

test('a platform\'s hosts: its credential endpoints and their parent domains, not its MX', () => {
  const { hosts, domains } = platformHosts(hostedEu);
  assert.deepEqual([...hosts], ['ex.mail.ovh.net']);
  assert.deepEqual([...domains], ['mail.ovh.net']);
  const custom = profileSchema.parse({
    ...defaultProfiles['hosted-eu'], server: 'mail.example', mx: ['mx.third-party.example.org'],
    imap: { host: 'imap.corp.example.com', port: 993 }, ews: 'https://ews.corp.example.com/EWS/Exchange.asmx',
  });
  const h = platformHosts(custom);
  assert.deepEqual([...h.hosts].sort(), ['ews.corp.example.com', 'imap.corp.example.com', 'mail.example']);
  assert.deepEqual([...h.domains], ['corp.example.com'], 'a two-label host opens no TLD; MX hosts open nothing');
  const suffix = profileSchema.parse({ ...defaultProfiles['hosted-eu'], server: 'ex.co.uk' });
  assert.deepEqual([...platformHosts(suffix).domains], [], 'a parent that is a public suffix opens nothing');
});

test('serverOverride platform: the profile\'s hosts and names under their domain only', () => {
  const ok = (server: string) => serverAllowed(policy(), hostedEu, server);
  assert.ok(ok('ex.mail.ovh.net'));
  assert.ok(ok('EX3.mail.ovh.net.'), 'case and a trailing dot do not matter');
  assert.ok(ok('a.b.mail.ovh.net'));
  for (const bad of ['mail.ovh.net.evil.example', 'evilmail.ovh.net', 'ovh.net', 'mx0.mail.ovh.net.example', '127.0.0.3', 'attacker.example']) {
    assert.ok(!ok(bad), bad);
  }
  const ipProfile = profileSchema.parse({ ...defaultProfiles['hosted-eu'], server: '192.0.2.10' });
  assert.ok(serverAllowed(policy(), ipProfile, '192.0.2.10'), 'an IP the profile names exactly');
  assert.ok(!serverAllowed(policy(), ipProfile, '192.0.2.11'));
});

test('serverOverride none and any', () => {
  assert.ok(serverAllowed(policy({ serverOverride: 'none' }), hostedEu, 'ex.mail.ovh.net'), 'naming the default is no override');
  assert.ok(!serverAllowed(policy({ serverOverride: 'none' }), hostedEu, 'ex3.mail.ovh.net'));
  assert.ok(serverAllowed(policy({ serverOverride: 'any' }), hostedEu, 'attacker.example'));
});

test('account domains: exact names, and *.suffix for subdomains only', () => {
  assert.ok(domainAllowed(['example.com'], 'user@Example.COM'));
  assert.ok(!domainAllowed(['example.com'], 'user@sub.example.com'));
  assert.ok(domainAllowed(['*.example.com'], 'user@sub.example.com'));
  assert.ok(!domainAllowed(['*.example.com'], 'user@example.com'));
  assert.ok(!domainAllowed(['*.example.com'], 'user@badexample.com'));
});

test('violations are 403 problems with stable codes, checked platform → server → domain', () => {
  const code = (p: ClientPolicy, r: { account: string; platform: string; server?: string }) => {
    try { enforceClientPolicy(p, hostedEu, r); return 'ok'; } catch (err) {
      assert.ok(err instanceof ProblemError);
      assert.equal(err.status, 403);
      return err.code;
    }
  };
  const strict = policy({ platforms: ['hosted-ca'], accountDomains: ['example.com'] });
  assert.equal(code(strict, { account: 'u@other.test', platform: 'hosted-eu', server: 'evil.example' }), 'PLATFORM_NOT_ALLOWED');
  assert.equal(code(policy({ accountDomains: ['example.com'] }), { account: 'u@other.test', platform: 'hosted-eu', server: 'evil.example' }), 'SERVER_NOT_ALLOWED');
  assert.equal(code(policy({ accountDomains: ['example.com'] }), { account: 'u@other.test', platform: 'hosted-eu' }), 'ACCOUNT_DOMAIN_NOT_ALLOWED');
  assert.equal(code(policy({ accountDomains: ['example.com'] }), { account: 'u@example.com', platform: 'hosted-eu', server: 'ex2.mail.ovh.net' }), 'ok');
});

test('a client barred from the deployment\'s default platform gets its first allowed one', () => {
  assert.equal(defaultPlatformFor(policy(), 'hosted-eu'), 'hosted-eu');
  assert.equal(defaultPlatformFor(policy({ platforms: ['hosted-ca', 'hosted-eu'] }), 'hosted-eu'), 'hosted-eu');
  assert.equal(defaultPlatformFor(policy({ platforms: ['hosted-ca', 'private-eu'] }), 'hosted-eu'), 'hosted-ca');
});
