// The password-destination rule and the registrable-domain helper it stands on, as pure functions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayReceivePassword, passwordRefused, platformHosts } from '../../src/checks/credential-targets.js';
import { resolvePlatform, type PlatformProfile } from '../../src/platforms/profile.js';
import { registrableDomain } from '../../src/platforms/registrable-domain.js';

const profile = {
  label: 'test', server: 'ex.mail.example.net', mx: ['mx1.mail.example.net'],
  srv: { target: '{server}', port: 443, priority: 0, weight: 0 },
  imap: { host: '{server}', port: 993 }, smtp: { host: 'smtp.mail.example.net', port: 587 },
  ews: 'https://{server}/EWS/Exchange.asmx', owa: 'https://{server}/owa/',
} satisfies Omit<PlatformProfile, 'statusPage' | 'spf'>;
const ctx = (domain: string, server?: string) => ({ platform: resolvePlatform('p', profile as PlatformProfile, undefined), facts: { server }, domain });

test('registrableDomain: PSL eTLD+1, private suffixes count as owners, IPs and suffixes have none', () => {
  assert.equal(registrableDomain('mail.example.co.uk'), 'example.co.uk');
  assert.equal(registrableDomain('Autodiscover.Example.COM.'), 'example.com');
  assert.equal(registrableDomain('a.x.duckdns.org'), 'x.duckdns.org');
  assert.equal(registrableDomain('a.x.duckdns.org', { icannOnly: true }), 'duckdns.org');
  assert.equal(registrableDomain('eu.group.test'), 'group.test', '.test is a public suffix by the default rule');
  assert.equal(registrableDomain('müller.de'), 'xn--mller-kva.de');
  for (const none of ['127.0.0.1', '0x7f000001', '[::1]', 'co.uk', 'localhost', 'test', '']) assert.equal(registrableDomain(none), undefined, none);
});

test('platform hosts: the profile as resolved, with the provider\'s server, and with its default server', () => {
  const hosts = platformHosts(ctx('example.com', 'EX3.mail.example.net'));
  assert.deepEqual([...hosts.keys()].sort(), ['ex.mail.example.net', 'ex3.mail.example.net', 'smtp.mail.example.net']);
  assert.ok(hosts.get('ex3.mail.example.net')?.includes('provider server'));
  // A request that names ex7: the profile's default server stays a platform host (the SRV record may name it).
  const requested = { platform: resolvePlatform('p', profile as PlatformProfile, 'ex7.mail.example.net'), facts: {}, domain: 'example.com' };
  assert.deepEqual([...platformHosts(requested).keys()].sort(), ['ex.mail.example.net', 'ex7.mail.example.net', 'smtp.mail.example.net']);
  assert.equal(mayReceivePassword('https://evil.example.org/EWS/Exchange.asmx', requested).ok, false);
});

test('mayReceivePassword: platform hosts over TLS anywhere; the mailbox domain for Autodiscover only', () => {
  const c = ctx('eu.example.com', 'ex3.mail.example.net');
  const yes = (u: string, scope?: 'autodiscover') => assert.equal(mayReceivePassword(u, c, scope).ok, true, u);
  const no = (u: string, why: RegExp, scope?: 'autodiscover') => {
    const v = mayReceivePassword(u, c, scope);
    assert.equal(v.ok, false, u);
    assert.match(v.reason, why, u);
  };
  yes('https://EX3.mail.example.net./EWS/Exchange.asmx');
  yes('imaps://ex.mail.example.net:993');
  yes('smtp://smtp.mail.example.net:587');
  yes('https://autodiscover.example.com/autodiscover/autodiscover.xml', 'autodiscover');
  yes('https://autodiscover.eu.example.com:8443/autodiscover/autodiscover.xml', 'autodiscover');
  no('https://autodiscover.example.com/autodiscover/autodiscover.xml', /not a host of the platform/);
  no('http://ex.mail.example.net/EWS/Exchange.asmx', /plain http/);
  no('http://autodiscover.example.com/autodiscover/autodiscover.xml', /plain http/, 'autodiscover');
  no('https://autodiscover.example.org/autodiscover/autodiscover.xml', /registrable domain example\.com \(it is on example\.org\)/, 'autodiscover');
  no('https://example.com.evil.net/autodiscover/autodiscover.xml', /it is on evil\.net/, 'autodiscover');
  no('https://127.0.0.1/autodiscover/autodiscover.xml', /no registrable domain/, 'autodiscover');
  no('imaps://autodiscover.example.com:993', /not a host of the platform/);
  no('ftp://ex.mail.example.net/', /not a transport/);
  no('not a url', /not a URL/);
});

test('passwordRefused: an error outcome with the refusal in evidence.credentials', () => {
  const c = ctx('example.com');
  assert.equal(passwordRefused('imaps://ex.mail.example.net:993', c), undefined);
  const out = passwordRefused('http://ex.mail.example.net/EWS/Exchange.asmx', c);
  assert.equal(out?.status, 'error');
  assert.equal(out?.code, 'CHECK_ERROR');
  assert.deepEqual(out?.evidence.credentials, [{ url: 'http://ex.mail.example.net/EWS/Exchange.asmx', sent: false, reason: 'plain http: a password is never sent unencrypted' }]);
});
