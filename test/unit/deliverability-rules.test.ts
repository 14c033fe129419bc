// The pure rules of inbound TLS, DKIM and outbound reputation, each held to its RFC: MTA-STS record
// and policy (RFC 8461 §3.1, §3.2, §4.1), TLS-RPT (RFC 8460 §3), DKIM key records (RFC 6376 §3.6.1,
// RFC 8301 §3.2, RFC 8463), DNS blocklist answers (RFC 5782 §2.3, §5), and the checks' judgements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeDkim, providerSigns, type SelectorView } from '../../src/checks/dkim.js';
import { dkimSignatures, parseAuthResults, parseHeaderBlock, spamVerdict } from '../../src/checks/mail/auth-results.js';
import { parseDkimKey, parseTagList } from '../../src/checks/mail/dkim-record.js';
import { readListing, sameAddress, zoneHealth } from '../../src/checks/reputation/dnsbl.js';
import { mxMatches, parseStsPolicy, pickStsRecord } from '../../src/checks/transport/mta-sts.js';
import { pickTlsRpt } from '../../src/checks/transport/tls-rpt.js';

const RSA2048 = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApOMXl/vYZ8eCP/3dAKF6auM/DZa13N5IY/2bRyWhMyuJofFZ6XMM0kUNR8vBRLPKBod853gzV4ZrYY0FcZM708KkO2uEsrnAQVWbq4DVUOhfdm967Ky7L8ssXyY5+mUb/vG7SIV311cZkz7EbAsZLDJD9WKd4vw3TGkny7DiHmoiW8e0NQYA0v0zKpL3/ifxfZeBOHRyMjDKm/rly0xAB/CfApCrsmZ20ejhYECsQU94//6U9hUwEwgoyr2OzmxhqV8yBclaU37dOdrBJXXT9Yk68kOq4IqXLsqh9KOKVptYeTTcjhdNhqSoEZFzRU8XPZPAMHGCBmCN2re57sK0QwIDAQAB';
const RSA1024 = 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDWxO1OEEPk5QbTsSid3b7IV+o+p5mxU3uyZL89MtQb0tXbLXZuCgaKAmp+yUQaOAx9GNxrtUp7or8W3vSpigOMWueLyHlxjHOcLLqkPAS/kAgukbK6aoRoqjTaVezYCX1Byl46FKqFvU66mOd4MVvW5+0Fe2wlWeanPGRYsUFrrQIDAQAB';
const ED25519 = 'eyH+oqfbxeWtRdj4DsDjITvogybMbazIwaksAYshuVc=';

test('MTA-STS record: one v=STSv1 record with an id; others ignored; several is none (RFC 8461 §3.1)', () => {
  assert.deepEqual(pickStsRecord(['v=spf1 -all']), { found: 'none' });
  const one = pickStsRecord(['v=STSv1; id=20260101T000000;', 'something else']);
  assert.ok(one.found === 'one' && one.parsed?.id === '20260101T000000' && one.problems.length === 0, JSON.stringify(one));
  const ext = pickStsRecord(['v=STSv1;id=abc123 ; ext=value']);
  assert.ok(ext.found === 'one' && ext.parsed?.extensions.ext === 'value', JSON.stringify(ext));
  assert.equal(pickStsRecord(['v=STSv1; id=a', 'v=STSv1; id=b']).found, 'several');
  const noId = pickStsRecord(['v=STSv1; foo=bar']);
  assert.ok(noId.found === 'one' && !noId.parsed && noId.problems.includes('no id= field'));
  const longId = pickStsRecord([`v=STSv1; id=${'a'.repeat(33)}`]);
  assert.ok(longId.found === 'one' && !longId.parsed && /not 1 to 32/.test(longId.problems[0]));
  const badId = pickStsRecord(['v=STSv1; id=2026-01-01']);
  assert.ok(badId.found === 'one' && !badId.parsed);
});

test('MTA-STS policy: fields, CRLF or LF, mx repeated, first of others wins (RFC 8461 §3.2)', () => {
  const ok = parseStsPolicy('version: STSv1\r\nmode: enforce\r\nmx: mx1.example.test\r\nmx: *.backup.example.test\r\nmax_age: 604800\r\n');
  assert.deepEqual(ok, { policy: { mode: 'enforce', mx: ['mx1.example.test', '*.backup.example.test'], maxAge: 604800, extensions: {} }, problems: [] });
  const lf = parseStsPolicy('version: STSv1\nmode: testing\nmode: enforce\nmx: MX.Example.TEST\nmax_age: 86400\nextra: kept');
  assert.equal(lf.policy?.mode, 'testing', 'only the first mode counts');
  assert.deepEqual(lf.policy?.mx, ['mx.example.test']);
  assert.equal(lf.policy?.extensions.extra, 'kept');
  assert.deepEqual(parseStsPolicy('version: STSv1\nmode: none\nmax_age: 0').policy, { mode: 'none', mx: [], maxAge: 0, extensions: {} }, 'mode none needs no mx');
});

test('MTA-STS policy problems: typo in mode, missing fields, version not first, max_age beyond a year, bad mx', () => {
  const typo = parseStsPolicy('version: STSv1\nmode: enforced\nmx: mx1.example.test');
  assert.equal(typo.policy, undefined);
  assert.ok(typo.problems.some((p) => /mode "enforced"/.test(p)), typo.problems.join('|'));
  assert.ok(typo.problems.includes('no max_age field'));
  assert.ok(parseStsPolicy('mode: enforce\nversion: STSv1\nmx: a.example.test\nmax_age: 1').problems.includes('version is not the first line'));
  assert.ok(parseStsPolicy('version: STSv1\nmode: testing\nmax_age: 100').problems.some((p) => /no mx/.test(p)));
  assert.ok(parseStsPolicy('version: STSv1\nmode: testing\nmx: a.example.test\nmax_age: 31557601').problems.some((p) => /one year/.test(p)));
  assert.ok(parseStsPolicy('version: STSv1\nmode: testing\nmx: not a host\nmax_age: 1').problems.some((p) => /is not a host name/.test(p)));
  assert.ok(parseStsPolicy('<html>Not found</html>').problems.length > 0);
});

test('MTA-STS MX matching: exact, or a wildcard for exactly one leftmost label (RFC 8461 §4.1)', () => {
  const p = ['mail.example.test', '*.mx.example.test'];
  assert.equal(mxMatches('MAIL.example.test.', p), 'mail.example.test');
  assert.equal(mxMatches('a.mx.example.test', p), '*.mx.example.test');
  assert.equal(mxMatches('mx.example.test', p), undefined);
  assert.equal(mxMatches('a.b.mx.example.test', p), undefined);
  assert.equal(mxMatches('other.example.test', p), undefined);
});

test('TLS-RPT: v=TLSRPTv1 with mailto:/https: rua; several records or other schemes are problems (RFC 8460 §3)', () => {
  assert.deepEqual(pickTlsRpt(['v=spf1 -all']), { found: 'none' });
  const ok = pickTlsRpt(['v=TLSRPTv1; rua=mailto:tls@example.test,https://reports.example.test/tls']);
  assert.ok(ok.found === 'one' && ok.parsed && ok.problems.length === 0, JSON.stringify(ok));
  assert.deepEqual(ok.found === 'one' && ok.parsed?.rua, ['mailto:tls@example.test', 'https://reports.example.test/tls']);
  const ftp = pickTlsRpt(['v=TLSRPTv1; rua=ftp://reports.example.test/tls']);
  assert.ok(ftp.found === 'one' && !ftp.parsed && /not a mailto/.test(ftp.problems[0]), JSON.stringify(ftp));
  const none = pickTlsRpt(['v=TLSRPTv1;']);
  assert.ok(none.found === 'one' && /no rua/.test(none.problems[0]));
  assert.equal(pickTlsRpt(['v=TLSRPTv1; rua=mailto:a@example.test', 'v=TLSRPTv1; rua=mailto:b@example.test']).found, 'several');
});

test('DKIM tag-list: whitespace ignored, duplicate tags invalidate the record (RFC 6376 §3.2)', () => {
  const { tags, problems } = parseTagList(' v = DKIM1 ;k=rsa;  p=AB CD ; ');
  assert.deepEqual([...tags.entries()], [['v', 'DKIM1'], ['k', 'rsa'], ['p', 'AB CD']]);
  assert.deepEqual(problems, []);
  assert.match(parseTagList('p=a; p=b').problems[0], /appears twice/);
});

test('DKIM key: RSA length from the decoded key; under 1024 refused, under 2048 weak (RFC 8301 §3.2); Ed25519 is 32 bytes (RFC 8463)', () => {
  const strong = parseDkimKey(`v=DKIM1; k=rsa; p=${RSA2048}`);
  assert.deepEqual([strong.bits, strong.weak, strong.problems], [2048, false, []]);
  const split = parseDkimKey(`v=DKIM1; p=${RSA2048.slice(0, 200)} ${RSA2048.slice(200)}`);
  assert.equal(split.bits, 2048, 'whitespace inside p= is folding');
  const weak = parseDkimKey(`v=DKIM1; k=rsa; p=${RSA1024}`);
  assert.deepEqual([weak.bits, weak.weak, weak.problems], [1024, true, []]);
  const ed = parseDkimKey(`v=DKIM1; k=ed25519; p=${ED25519}`);
  assert.deepEqual([ed.keyType, ed.problems], ['ed25519', []]);
  assert.match(parseDkimKey(`v=DKIM1; k=ed25519; p=${RSA1024}`).problems[0], /not a 32-byte Ed25519 key/);
});

test('DKIM key problems: revoked, undecodable, unknown type, v= not first, no p=, testing flag noted', () => {
  const revoked = parseDkimKey('v=DKIM1; k=rsa; p=');
  assert.ok(revoked.revoked && /revoked/.test(revoked.problems[0]));
  assert.match(parseDkimKey(`v=DKIM1; p=${RSA2048.slice(0, 120)}`).problems[0], /does not decode to an RSA public key/);
  assert.match(parseDkimKey('v=DKIM1; p=!!notbase64!!').problems[0], /not base64/);
  assert.match(parseDkimKey(`v=DKIM1; k=dsa; p=${RSA1024}`).problems[0], /k=dsa/);
  assert.ok(parseDkimKey(`k=rsa; v=DKIM1; p=${RSA2048}`).problems.some((p) => /first tag/.test(p)));
  assert.match(parseDkimKey('v=spf1 include:example.test -all').problems.at(-1)!, /no p= tag/);
  assert.equal(parseDkimKey(`v=DKIM1; t=y; p=${RSA2048}`).testing, true);
});

const sel = (selector: string, record?: string, providerStatus?: string): SelectorView => record === undefined
  ? { selector, name: `${selector}._domainkey.example.test`, found: 'none', ...(providerStatus ? { providerStatus } : {}) }
  : { selector, name: `${selector}._domainkey.example.test`, found: 'key', record, key: parseDkimKey(record), ...(providerStatus ? { providerStatus } : {}) };

test('DKIM judgement: used but not published, published but not used, broken, weak, provider error', () => {
  assert.equal(providerSigns({ state: 'active' }), true);
  assert.equal(providerSigns({ state: 'toConfigure' }), false);
  assert.equal(providerSigns({ state: 'inProgress' }), undefined);
  assert.equal(providerSigns(undefined), undefined);
  const good = `v=DKIM1; p=${RSA2048}`;
  const codes = (...a: Parameters<typeof judgeDkim>) => judgeDkim(...a).map((f) => f.code);
  assert.deepEqual(codes('example.test', { state: 'active' }, [sel('s1', good)]), []);
  assert.deepEqual(codes('example.test', { state: 'active' }, [sel('s1'), sel('s2')]), ['DKIM_NOT_PUBLISHED']);
  // The provider names the selector in production: a key elsewhere does not help.
  assert.deepEqual(codes('example.test', { state: 'active' }, [sel('s1', undefined, 'inProduction'), sel('s2', good, 'ready')]), ['DKIM_NOT_PUBLISHED']);
  assert.deepEqual(codes('example.test', { state: 'disabled' }, [sel('s1', good)]), ['DKIM_NOT_ENABLED']);
  assert.deepEqual(codes('example.test', { state: 'disabled' }, [sel('s1')]), [], 'nothing published, nothing signed: SPF alone');
  assert.deepEqual(codes('example.test', undefined, [sel('s1', `v=DKIM1; p=${RSA1024}`)]), ['DKIM_WEAK_KEY']);
  assert.deepEqual(codes('example.test', undefined, [sel('s1', 'v=DKIM1; p=')]), ['DKIM_INVALID']);
  const err = judgeDkim('example.test', { state: 'error', message: 'record not found', errorCode: 3 }, []);
  assert.deepEqual(err.map((f) => f.code), ['DKIM_INVALID']);
  assert.match(err[0].message, /record not found \(code 3\)/);
});

test('DNS blocklists: 127/8 answers list, 127.255.255.x are refusals, zone health by its test entries (RFC 5782 §2.3, §5)', () => {
  assert.deepEqual(readListing(['127.0.0.2', '127.0.0.4']), { listed: true, codes: ['127.0.0.2', '127.0.0.4'] });
  const refused = readListing(['127.255.255.254']);
  assert.ok(!refused.listed && /refused/.test(refused.refused ?? ''));
  assert.deepEqual(readListing(['192.0.2.1']), { listed: false, codes: ['192.0.2.1'] }, 'an answer outside 127/8 is no listing');
  assert.deepEqual(zoneHealth({ listed: true, codes: ['127.0.0.2'] }, { listed: false }), { usable: true });
  assert.equal(zoneHealth({ listed: true, codes: ['127.0.0.2'] }, { listed: true, codes: ['127.0.0.2'] }).usable, false, 'lists 127.0.0.1: lists everything');
  assert.equal(zoneHealth({ listed: false }, { listed: false }).usable, false, 'does not list its test entry');
  assert.equal(zoneHealth('error', { listed: false }).usable, false);
  assert.ok(sameAddress('2001:db8::1', '2001:0db8:0:0::1'));
  assert.ok(!sameAddress('192.0.2.1', '192.0.2.10'));
});

test('the new checks: no password, their own timeout, waiting only for what they read', async () => {
  const { createRegistry } = await import('../../src/run/registry.js');
  const registry = createRegistry();
  const want = [['mx-tls', ['mx'], [], 20_000], ['dkim', ['account'], [], 10_000], ['outbound', [], [], 15_000], ['mail-auth', ['receive'], ['receive'], 5_000]] as const;
  for (const [id, after, requires, timeoutMs] of want) {
    const def = registry.get(id)!;
    assert.deepEqual([def.usesPassword, def.after, def.requires, def.timeoutMs], [false, after, requires, timeoutMs], id);
  }
});

test('Authentication-Results: authserv-id, method=result, reason and properties, comments dropped (RFC 8601 §2.2)', () => {
  const ar = parseAuthResults('mx.example.test 1; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a@example.test;\r\n dkim=fail reason="signature did not verify" header.d=example.test header.s=s1; dmarc=fail (p=reject) header.from=example.test');
  assert.equal(ar?.authservId, 'mx.example.test');
  assert.deepEqual(ar?.results, [
    { method: 'spf', result: 'pass', props: { 'smtp.mailfrom': 'a@example.test' } },
    { method: 'dkim', result: 'fail', reason: 'signature did not verify', props: { 'header.d': 'example.test', 'header.s': 's1' } },
    { method: 'dmarc', result: 'fail', props: { 'header.from': 'example.test' } },
  ]);
  assert.deepEqual(parseAuthResults('mx.example.test; none')?.results, []);
  const fields = parseHeaderBlock('Authentication-Results: a;\r\n spf=pass\r\nDKIM-Signature: v=1; a=rsa-sha256; d=Example.TEST; s=sel1;\r\n\tbh=abc; b=def\r\nX-Spam-Flag: YES\r\n');
  assert.deepEqual(fields.map((f) => f.name), ['authentication-results', 'dkim-signature', 'x-spam-flag']);
  assert.equal(fields[0].value, 'a; spf=pass');
  assert.deepEqual(dkimSignatures([fields[1].value]), [{ domain: 'example.test', selector: 'sel1' }]);
  assert.equal(spamVerdict(fields), 'X-Spam-Flag: YES');
  assert.equal(spamVerdict([{ name: 'x-ms-exchange-organization-scl', value: '1' }]), undefined);
  assert.equal(spamVerdict([{ name: 'x-ms-exchange-organization-scl', value: '6' }]), 'X-MS-Exchange-Organization-SCL: 6');
});
