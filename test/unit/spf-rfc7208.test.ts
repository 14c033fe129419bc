// SPF as RFC 7208 reads it. The records and zones are the OpenSPF test suite's (pyspf
// test/rfc7208-tests.yml, release 2014.04), each case named as there; the suite's expected result
// is a permerror exactly where a syntax error or a §4.6.4 limit is expected below.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DnsAnswer } from '../../src/net/dns.js';
import { parseSpf, type SpfMechanism } from '../../src/checks/dns-auth/spf-record.js';
import { walkSpf, type SpfDns } from '../../src/checks/dns-auth/spf-walk.js';

const mech = (record: string, i = 0) => parseSpf(record).terms.filter((t): t is SpfMechanism => t.kind === 'mechanism')[i];
const errorsOf = (record: string) => parseSpf(record).errors;

describe('defect 1: only a trailing /digits (//digits) is a prefix length (§5.3, §5.4, §7.1)', () => {
  test('a-colon-domain, mx-colon-domain: "domain-spec may contain any visible char except %"', () => {
    for (const record of ['v=spf1 a:foo:bar/baz.example.com', 'v=spf1 mx:foo:bar/baz.example.com']) {
      assert.deepEqual(errorsOf(record), [], record);
      const m = mech(record);
      assert.deepEqual([m.value, m.cidr], ['foo:bar/baz.example.com', undefined], record);
    }
  });

  test('the trailing prefix lengths are still read: a-multi-ip1, a-dual-cidr-ip4-match, a-cidr6', () => {
    assert.deepEqual([mech('v=spf1 a:foo.example.com/24').value, mech('v=spf1 a:foo.example.com/24').cidr], ['foo.example.com', '/24']);
    assert.deepEqual([mech('v=spf1 mx:foo.example.com/24').value, mech('v=spf1 mx:foo.example.com/24').cidr], ['foo.example.com', '/24']);
    assert.deepEqual([mech('v=spf1 a/24//64 -all').value, mech('v=spf1 a/24//64 -all').cidr], [undefined, '/24//64']);
    assert.deepEqual(errorsOf('v=spf1 a//33 -all'), []);
    assert.deepEqual(mech('v=spf1 a:foo:bar/baz.example.com/24//64').cidr, '/24//64');
  });

  test('what is still wrong stays wrong (permerror in the suite)', () => {
    const cases: Array<[string, RegExp]> = [
      ['v=spf1 a/24/64 -all', /prefix length/], // a-dual-cidr-ip4-err
      ['v=spf1 a/33 -all', /out of range/], // a-bad-cidr4
      ['v=spf1 a//129 -all', /out of range/], // a-bad-cidr6
      ['v=spf1 mx/33 -all', /out of range/], // mx-bad-cidr4
      ['v=spf1 a:example.com:8080', /top label/], // a-bad-domain: a ':' may appear, but not in the top label
      ['v=spf1 mx:example.com:8080', /top label/], // mx-bad-domain
      ['v=spf1 include:ip5.example.com/24 -all', /no prefix length/], // include-cidr
      ['v=spf1 exists:mail.example.com/24', /no prefix length/], // exists-cidr
      ['v=spf1 ptr/0 -all', /no prefix length/], // ptr-cidr
      ['v=spf1 ip4:1.2.3.4//32', /prefix length/], // ip4-dual-cidr
      ['v=spf1 ip6:::1.1.1.1//33', /prefix length/], // cidr6-bad
      ['v=spf1 ip4:1.2.3.4/032 -all', /out of range/], // cidr4-032
    ];
    for (const [record, why] of cases) {
      const errors = errorsOf(record);
      assert.equal(errors.length, 1, `${record}: ${JSON.stringify(errors)}`);
      assert.match(errors[0], why, record);
    }
  });
});

describe('defect 2: unknown modifiers hold a macro-string (§6, Appendix A)', () => {
  test('unknown-modifier-syntax: "foo=%abc" is a permerror', () => {
    const errors = errorsOf('v=spf1 -all foo=%abc');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /"foo=%abc": invalid macro/);
  });

  test('valid unknown modifiers are accepted: modifier-charset-good, default-modifier-obsolete(2), empty value', () => {
    for (const record of ['v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all', 'v=spf1 default=pass', 'v=spf1 default=+', 'v=spf1 -all foo=', 'v=spf1 -all x-note=%{d}%%%_%-']) {
      assert.deepEqual(errorsOf(record), [], record);
    }
  });

  test('bad modifier names are errors: modifier-charset-bad1/2, invalid-modifier, empty-modifier-name, redirect-is-modifier', () => {
    for (const record of ['v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all', 'v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all',
      'v=spf1 1up=foo', 'v=spf1 =all', 'v=spf1 ip4:1.2.3.4 redirect:t2.example.com']) {
      assert.equal(errorsOf(record).length, 1, record);
    }
  });
});

describe('defect 3: c, r and t are explanation-only macro letters (§7.2)', () => {
  test('exp-only-macro-char: "exp=%{r}.example.com" is a permerror (exp= takes a domain-spec)', () => {
    const errors = errorsOf('v=spf1 -all exp=%{r}.example.com');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /%\{r\} is allowed only in explanation text/);
  });

  test('c, r, t in any domain-spec are errors; the other letters are fine', () => {
    for (const letter of ['c', 'r', 't', 'C', 'T']) {
      for (const record of [`v=spf1 a:%{${letter}}.example.com -all`, `v=spf1 exists:%{${letter}}.rbl.example.com -all`, `v=spf1 include:%{${letter}}.example.com -all`, `v=spf1 redirect=%{${letter}}.example.com`]) {
        assert.match(errorsOf(record).join(), /allowed only in explanation text/, record);
      }
    }
    // macro-reverse-split-on-dash, macro-multiple-delimiters, upper-macro, hello-macro, trailing-dot-domain, macro-mania-in-domain
    for (const record of ['v=spf1 exists:%{i}.%{l2r-}.user.%{d2}', 'v=spf1 exists:%{l2r+-}.user.%{d2}', 'v=spf1 -all exp=msg8.%{D2}',
      'v=spf1 a:%{H} -all', 'v=spf1 redirect=%{d}.d.spf.example.com.', 'v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all',
      'v=spf1 exists:%{s}.%{o}.%{p}.%{v}.example.com -all']) {
      assert.deepEqual(errorsOf(record), [], record);
    }
  });

  test('other macro errors: undef-macro, invalid-macro-char, invalid-embedded-macro-char, invalid-trailing-macro-char', () => {
    for (const [record, why] of [
      ['v=spf1 a:%{a}.example.com -all', /unknown macro letter "a"/],
      ['v=spf1 -exists:%(ir).sbl.example.com ?all', /invalid macro/],
      ['v=spf1 exists:foo%(ir).sbl.example.com ?all', /invalid macro/],
      ['v=spf1 exists:foo%.sbl.example.com ?all', /invalid macro/],
    ] as const) assert.match(errorsOf(record).join(), why, record);
  });
});

describe('domain-spec syntax that did not change (§7.1)', () => {
  test('permerror cases of the suite stay errors', () => {
    for (const record of [
      'v=spf1 a:foo-bar -all', // invalid-domain
      'v=spf1 a:abc.123', 'v=spf1 a:111.222.33.44', // a-numeric-toplabel, a-numeric
      'v=spf1 a:example.-com', 'v=spf1 mx:example.-com', // a-bad-toplabel, mx-bad-toplab
      'v=spf1 a:museum', 'v=spf1 a:museum.', // a-only-toplabel(-trailing-dot)
      'v=spf1 a:', 'v=spf1 mx: -all', 'v=spf1 exists:', 'v=spf1 exists', 'v=spf1 include: -all', 'v=spf1 include +all', 'v=spf1 ptr:',
      'v=spf1 exp= -all', 'v=spf1 ?all redirect=', 'v=spf1 exp=-all', 'v=spf1 redirect=-all ?all',
      'v=spf1 -all.', 'v=spf1 -all:foobar', 'v=spf1 -all/8', 'v=spf1 ip4:1.2.3.4 -all moo',
    ]) assert.ok(errorsOf(record).length >= 1, record);
  });

  test('a-dash-in-toplabel and all-double are valid', () => {
    assert.deepEqual(errorsOf('v=spf1 a:foo.example.xn--zckzah -all'), []);
    assert.deepEqual(errorsOf('v=spf1 all -all'), []);
  });
});

/** A zone in memory, answering like a resolver: NXDOMAIN for unknown names, NODATA for a missing type. */
type Rr = { TXT?: string[]; MX?: Array<[number, string]>; A?: string[]; error?: string };
function zone(data: Record<string, Rr>): SpfDns & { asked: string[] } {
  const asked: string[] = [];
  const answer = <T>(name: string, type: 'TXT' | 'MX' | 'A', map: (rr: Rr) => T[] | undefined): DnsAnswer<T> => {
    asked.push(`${type} ${name}`);
    const rr = data[name.toLowerCase()];
    if (rr?.error) return { ok: false, kind: 'error', error: rr.error, server: 'mem', ms: 0 };
    if (!rr) return { ok: false, kind: 'nxdomain', server: 'mem', ms: 0 };
    const records = map(rr);
    return records?.length ? { ok: true, records, server: 'mem', ms: 0 } : { ok: false, kind: 'nodata', server: 'mem', ms: 0 };
  };
  return {
    asked,
    txt: async (n) => answer(n, 'TXT', (rr) => rr.TXT),
    mx: async (n) => answer(n, 'MX', (rr) => rr.MX?.map(([priority, exchange]) => ({ priority, exchange }))),
    addresses: async (n) => answer(n, 'A', (rr) => rr.A),
  };
}

describe('limits that need the terms resolved (§4.6.4)', () => {
  test('void-over-limit: three a: targets that do not exist → permerror; void-at-limit: two are fine', async () => {
    const over = await walkSpf('e11.example.com', zone({ 'e11.example.com': { TXT: ['v=spf1 a:err.example.com a:err1.example.com a:err2.example.com ?all'] } }));
    assert.equal(over.voidLookups, 3);
    assert.ok(over.problems.some((p) => /more than 2 DNS lookups return nothing \(3: err\.example\.com \(nxdomain\)/.test(p)), JSON.stringify(over.problems));
    const at = await walkSpf('e12.example.com', zone({ 'e12.example.com': { TXT: ['v=spf1 a:err.example.com a:err1.example.com ?all'] } }));
    assert.deepEqual([at.voidLookups, at.problems], [2, []]);
  });

  test('a name with records but not of the asked type (NODATA) is void too', async () => {
    const w = await walkSpf('v.example', zone({
      'v.example': { TXT: ['v=spf1 a:txt-only.example mx:txt-only.example exists:txt-only.example -all'] },
      'txt-only.example': { TXT: ['hello'] },
    }));
    assert.equal(w.voidLookups, 3);
    assert.deepEqual(w.targets.map((t) => `${t.term} ${t.answer} ${t.why}`), ['a:txt-only.example void nodata', 'mx:txt-only.example void nodata', 'exists:txt-only.example void nodata']);
  });

  test('exp-void: an exp= target is not looked up and does not count', async () => {
    const w = await walkSpf('e23.example.com', zone({ 'e23.example.com': { TXT: ['v=spf1 a:erehwon.example.com a:foobar.com exp=nxdomain.com -all'] } }));
    assert.deepEqual([w.voidLookups, w.problems], [2, []]);
  });

  test('mx-limit: more than 10 MX names for one "mx" → permerror; mx-implicit: no MX is a void lookup, not an A lookup', async () => {
    const many: Array<[number, string]> = [...Array.from({ length: 10 }, (_, i) => [i, 'mail.example.com'] as [number, string]), [10, 'e4.example.com']];
    const w = await walkSpf('e4.example.com', zone({ 'e4.example.com': { TXT: ['v=spf1 mx'], MX: many, A: ['1.2.3.5'] }, 'mail.example.com': { A: ['1.2.3.4'] } }));
    assert.ok(w.problems.some((p) => /e4\.example\.com has 11 MX records; a receiver looks up at most 10/.test(p)), JSON.stringify(w.problems));
    const implicit = zone({ 'e4.example.com': { TXT: ['v=spf1 mx'], A: ['1.2.3.4'] } });
    const none = await walkSpf('e4.example.com', implicit);
    assert.deepEqual([none.voidLookups, none.problems, implicit.asked], [1, [], ['TXT e4.example.com', 'MX e4.example.com']]);
  });

  test('false-a-limit: there is no limit on the A records of an "a"', async () => {
    const w = await walkSpf('e10.example.com', zone({ 'e10.example.com': { TXT: ['v=spf1 a -all'], A: Array.from({ length: 12 }, (_, i) => `1.2.3.${i + 1}`) } }));
    assert.deepEqual([w.problems, w.targets], [[], [{ term: 'a', name: 'e10.example.com', answer: 'records', records: 12 }]]);
  });

  test('targets are resolved in the record they appear in, through include and redirect', async () => {
    const w = await walkSpf('a.example', zone({
      'a.example': { TXT: ['v=spf1 include:b.example redirect=c.example'] },
      'b.example': { TXT: ['v=spf1 a mx -all'], A: ['192.0.2.1'], MX: [[10, 'mx.b.example']] },
      'c.example': { TXT: ['v=spf1 exists:%{i}.rbl.example a:gone.example -all'] },
    }));
    assert.deepEqual(w.targets.map((t) => `${t.term}→${t.name}:${t.answer}`), ['include:b.example→b.example:records', 'a→b.example:records', 'mx→b.example:records', 'redirect=c.example→c.example:records', 'a:gone.example→gone.example:void']);
    assert.deepEqual([w.lookups, w.voidLookups, w.notFollowed], [6, 1, ['%{i}.rbl.example']]);
  });

  test('a name our resolver will not ask is not counted; addresses refused by the egress policy exist; a failure is ours', async () => {
    const bad = await walkSpf('e11.example.com', zone({ 'e11.example.com': { TXT: ['v=spf1 a:foo:bar/baz.example.com -all'] }, 'foo:bar/baz.example.com': { error: 'EBADNAME' } }));
    assert.deepEqual([bad.problems, bad.voidLookups, bad.dnsError, bad.targets[0].answer], [[], 0, undefined, 'unresolved']);
    const refused = await walkSpf('r.example', zone({ 'r.example': { TXT: ['v=spf1 a:internal.r.example -all'] }, 'internal.r.example': { error: 'EGRESS_FORBIDDEN: 10.0.0.1 is a private address' } }));
    assert.deepEqual([refused.voidLookups, refused.targets[0].answer, refused.dnsError], [0, 'records', undefined]);
    const failing = await walkSpf('t.example', zone({ 't.example': { TXT: ['v=spf1 mx:slow.example -all'] }, 'slow.example': { error: 'ETIMEOUT' } }));
    assert.deepEqual(failing.dnsError, { name: 'slow.example', type: 'MX', error: 'ETIMEOUT' });
  });
});
