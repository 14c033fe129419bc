import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDmarc, isDmarcRecord } from '../../src/checks/dns-auth/dmarc-record.js';
import { isSpfRecord, lookupTerms, parseSpf } from '../../src/checks/dns-auth/spf-record.js';
import { missingIncludes, walkSpf, type TxtLookup } from '../../src/checks/dns-auth/spf-walk.js';
import { dmarcCandidates } from '../../src/checks/dmarc.js';
import { loadPlatforms } from '../../src/platforms/catalogue.js';
import { resolvePlatform } from '../../src/platforms/profile.js';

/** A zone in memory: name → TXT records; 'ERR' answers a resolver failure. */
function zone(records: Record<string, string[] | 'ERR'>): TxtLookup & { asked: string[] } {
  const asked: string[] = [];
  const fn = async (name: string) => {
    asked.push(name);
    const r = records[name];
    if (r === 'ERR') return { ok: false as const, kind: 'error' as const, error: 'ETIMEOUT', server: 'mem', ms: 0 };
    if (r === undefined) return { ok: false as const, kind: 'nxdomain' as const, server: 'mem', ms: 0 };
    return r.length ? { ok: true as const, records: r, server: 'mem', ms: 0 } : { ok: false as const, kind: 'nodata' as const, server: 'mem', ms: 0 };
  };
  return Object.assign(fn, { asked });
}

test('isSpfRecord: "v=spf1" alone or followed by a space, any case; not v=spf10', () => {
  assert.ok(isSpfRecord('v=spf1 -all'));
  assert.ok(isSpfRecord('V=SPF1'));
  assert.ok(!isSpfRecord('v=spf10 -all'));
  assert.ok(!isSpfRecord('google-site-verification=abc'));
  assert.ok(!isSpfRecord(' v=spf1 -all'));
});

test('parseSpf: a valid record with every mechanism', () => {
  const p = parseSpf('v=spf1 a mx/24 a:mail.example.com/28//64 ptr ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}.rbl.example.com include:mx.ovh.com ~all exp=explain.example.com');
  assert.deepEqual(p.errors, []);
  assert.equal(p.all, '~');
  assert.deepEqual(lookupTerms(p).map((t) => t.name), ['a', 'mx', 'a', 'ptr', 'exists', 'include']);
  const inc = p.terms.find((t) => t.name === 'include');
  assert.equal(inc?.kind === 'mechanism' && inc.value, 'mx.ovh.com');
});

test('parseSpf: every syntax error is named', () => {
  const p = parseSpf('v=spf1 include: ip4:300.1.1.1 ip6:zz::1 ip4:10.0.0.0/33 foo:bar all:x include:nodot a/99 redirect=a.example redirect=b.example');
  assert.equal(p.errors.length, 9, JSON.stringify(p.errors));
  for (const needle of ['"include:"', '300.1.1.1', 'zz::1', '/33', 'unknown mechanism "foo"', '"all" takes no argument', 'not a fully qualified domain', '/99', '"redirect=" appears more than once']) {
    assert.ok(p.errors.some((e) => e.includes(needle)), `${needle} in ${JSON.stringify(p.errors)}`);
  }
  assert.deepEqual(parseSpf('v=spf1 include:bad%{x}.example.com -all').errors.length, 1, 'an invalid macro letter');
  assert.deepEqual(parseSpf('v=spf1\tmx -all').errors.length > 0, true, 'a tab is not a separator');
});

test('parseSpf: redirect counts only without all; unknown modifiers are allowed', () => {
  const withAll = parseSpf('v=spf1 mx redirect=_spf.example.com -all');
  assert.deepEqual(lookupTerms(withAll).map((t) => t.name), ['mx']);
  const without = parseSpf('v=spf1 redirect=_spf.example.com foo=bar');
  assert.deepEqual([without.errors, without.redirect, lookupTerms(without).map((t) => t.name)], [[], '_spf.example.com', ['redirect']]);
});

test('walkSpf: follows include and redirect, counts lookups, finds the platform', async () => {
  const txt = zone({
    'example.com': ['v=spf1 mx include:_spf.example.com ~all', 'some-verification=1'],
    '_spf.example.com': ['v=spf1 ip4:192.0.2.1 redirect=mx.ovh.com'],
    'mx.ovh.com': ['v=spf1 ip4:198.51.100.0/24 a:relay.ovh.net -all'],
  });
  const w = await walkSpf('example.com', txt);
  assert.deepEqual([w.found, w.problems, w.all, w.lookups], ['one', [], '~', 4]);
  assert.deepEqual(w.reached, ['_spf.example.com', 'mx.ovh.com']);
  assert.deepEqual(w.chain.map((c) => `${c.via}:${c.name}:${c.lookups}`), ['domain:example.com:2', 'include:_spf.example.com:1', 'redirect:mx.ovh.com:1']);
  assert.deepEqual(missingIncludes(w, ['MX.OVH.COM.']), []);
  assert.deepEqual(missingIncludes(w, ['mx.ovh.com', 'spf.other.example']), ['spf.other.example']);
});

test('walkSpf: none, several, +all, include without SPF', async () => {
  assert.equal((await walkSpf('a.example', zone({ 'a.example': ['hello'] }))).found, 'none');
  assert.equal((await walkSpf('a.example', zone({}))).found, 'none');
  const several = await walkSpf('a.example', zone({ 'a.example': ['v=spf1 -all', 'v=spf1 mx -all'] }));
  assert.deepEqual([several.found, several.records.length], ['several', 2]);
  assert.match(several.problems[0], /2 SPF records/);
  const plus = await walkSpf('a.example', zone({ 'a.example': ['v=spf1 +all'] }));
  assert.deepEqual([plus.all, plus.problems.length], ['+', 1]);
  assert.match(plus.problems[0], /\+all/);
  const bare = await walkSpf('a.example', zone({ 'a.example': ['v=spf1 all'] }));
  assert.equal(bare.all, '+', 'no qualifier means +');
  const dangling = await walkSpf('a.example', zone({ 'a.example': ['v=spf1 include:gone.example -all'] }));
  assert.deepEqual(dangling.problems, ['include:gone.example: gone.example has no SPF record']);
  const nested = await walkSpf('a.example', zone({ 'a.example': ['v=spf1 include:b.example -all'], 'b.example': ['v=spf1 +all'] }));
  assert.match(nested.problems.join(), /include:b\.example: "\+all"/);
});

test('walkSpf: a self-include stops after the limit of 10 lookups', async () => {
  const txt = zone({ 'loop.example': ['v=spf1 include:loop.example -all'] });
  const w = await walkSpf('loop.example', txt);
  assert.equal(w.lookups, 11);
  assert.ok(w.problems.some((p) => /more than 10 DNS lookups/.test(p)), JSON.stringify(w.problems));
  assert.equal(txt.asked.length, 11, 'the walk is bounded');
});

test('walkSpf: too many lookups in one record (no recursion needed)', async () => {
  const w = await walkSpf('a.example', zone({ 'a.example': [`v=spf1 ${Array.from({ length: 11 }, (_, i) => `a:h${i}.example`).join(' ')} -all`] }));
  assert.equal(w.lookups, 11);
  assert.match(w.problems.join(), /more than 10/);
});

test('walkSpf: DNS failure → dnsError (we cannot decide), macros are not followed', async () => {
  assert.equal((await walkSpf('a.example', zone({ 'a.example': 'ERR' }))).found, 'dns-error');
  const inner = await walkSpf('a.example', zone({ 'a.example': ['v=spf1 include:b.example -all'], 'b.example': 'ERR' }));
  assert.deepEqual(inner.dnsError, { name: 'b.example', type: 'TXT', error: 'ETIMEOUT' });
  const macro = await walkSpf('a.example', zone({ 'a.example': ['v=spf1 include:%{d}.spf.example -all'] }));
  assert.deepEqual([macro.problems, macro.notFollowed], [[], ['%{d}.spf.example']]);
});

test('parseDmarc: a valid record and its defaults', () => {
  const d = parseDmarc('v=DMARC1; p=Quarantine; rua=mailto:agg@example.com,mailto:b@example.net!10m; fo=1:d');
  assert.deepEqual([d.problems, d.policy, d.subdomainPolicy, d.pct, d.adkim, d.aspf], [[], 'quarantine', undefined, 100, 'r', 'r']);
  assert.deepEqual(d.rua, ['mailto:agg@example.com', 'mailto:b@example.net!10m']);
  const s = parseDmarc('v=DMARC1;p=reject;sp=none;pct=25;adkim=s;aspf=s;');
  assert.deepEqual([s.problems, s.policy, s.subdomainPolicy, s.pct, s.adkim], [[], 'reject', 'none', 25, 's']);
});

test('parseDmarc: problems are named', () => {
  assert.deepEqual(parseDmarc('v=DMARC1; rua=mailto:x@example.com').problems, ['no "p=" policy tag']);
  const bad = parseDmarc('v=DMARC1; p=block; sp=maybe; pct=150; adkim=x; rua=agg@example.com; ri=soon; p=none; garbage');
  assert.equal(bad.problems.length, 8, JSON.stringify(bad.problems));
  assert.equal(bad.policy, undefined, 'the first p= is read, the duplicate reported');
  assert.ok(isDmarcRecord('v=DMARC1; p=none') && isDmarcRecord('v = DMARC1') && !isDmarcRecord('v=dmarc1; p=none') && !isDmarcRecord('p=none; v=DMARC1'));
});

test('dmarcCandidates: the domain then its parents, down to the organizational domain (PSL), never a public suffix', () => {
  assert.deepEqual(dmarcCandidates('healthy.test'), ['healthy.test']);
  assert.deepEqual(dmarcCandidates('Mail.Sub.Example.com.'), ['mail.sub.example.com', 'sub.example.com', 'example.com']);
  assert.deepEqual(dmarcCandidates('eu.example.co.uk'), ['eu.example.co.uk', 'example.co.uk'], 'co.uk is a public suffix');
  assert.deepEqual(dmarcCandidates('shop.myblog.blogspot.com'), ['shop.myblog.blogspot.com', 'myblog.blogspot.com'], 'PSL private section: blogspot.com is not the organization');
  assert.deepEqual(dmarcCandidates('example.co.uk'), ['example.co.uk']);
});

test('built-in profiles require include:mx.ovh.com; a file may name others', () => {
  for (const [id, p] of loadPlatforms()) assert.deepEqual(resolvePlatform(id, p, undefined).spf, { include: ['mx.ovh.com'] }, id);
});
