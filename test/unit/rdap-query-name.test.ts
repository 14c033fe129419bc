// Which name the domain check asks the registry about: the registrable domain (Public Suffix List,
// ICANN section, through tldts), with the reason, for the cases of the reference sheet (§7).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rdapQueryName } from '../../src/checks/domain.js';
import { rdapDomainUrl } from '../../src/checks/http/rdap.js';

test('a subdomain is asked as its registrable domain, with the reason', () => {
  const eu = rdapQueryName('eu.example.com');
  assert.equal(eu.name, 'example.com');
  assert.match(eu.why, /eu\.example\.com is a subdomain; .*example\.com is the registrable domain/);
  assert.equal(rdapQueryName('mail.example.co.uk').name, 'example.co.uk');
  assert.equal(rdapQueryName('Deep.Sub.Example.COM.').name, 'example.com');
});

test('a registered name is asked as is', () => {
  const uk = rdapQueryName('example.co.uk');
  assert.equal(uk.name, 'example.co.uk');
  assert.match(uk.why, /itself the registered name/);
  assert.equal(rdapQueryName('healthy.test').name, 'healthy.test');
});

test('ICANN section only: a private suffix is no registry (x.duckdns.org → duckdns.org)', () => {
  assert.equal(rdapQueryName('x.duckdns.org').name, 'duckdns.org');
  assert.equal(rdapQueryName('foo.blogspot.com').name, 'blogspot.com');
});

test('a TLD the list does not know falls under its default rule "*": the lab needs no special case', () => {
  assert.equal(rdapQueryName('eu.healthy.test').name, 'healthy.test');
  assert.equal(rdapQueryName('a.b.eu.group.test').name, 'group.test');
});

test('no registrable domain: a public suffix or a single label is asked as is, and says so', () => {
  for (const d of ['co.uk', 'localhost']) {
    const q = rdapQueryName(d);
    assert.equal(q.name, d);
    assert.match(q.why, /asked as is/);
  }
});

test('Unicode names are asked in their ASCII form', () => {
  assert.equal(rdapQueryName('post.müller.de').name, 'xn--mller-kva.de');
  assert.equal(rdapDomainUrl('https://rdap.denic.de/', rdapQueryName('post.müller.de').name), 'https://rdap.denic.de/domain/xn--mller-kva.de');
});

test('a Unicode registered name is not mistaken for a subdomain of its ASCII form', () => {
  assert.deepEqual([rdapQueryName('müller.de').name, rdapQueryName('müller.de').subdomain], ['xn--mller-kva.de', false]);
});
