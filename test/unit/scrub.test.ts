// The scrubber against every form a password travels in: raw, SASL PLAIN/LOGIN and Basic base64
// (the password at each of the three base64 alignments inside a longer token), JSON, backslash,
// percent, quoted-printable and XML escapes, and values cut right after the password's first
// characters. Ordinary evidence comes out untouched (the very same object).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64Cores, secretScrubber } from '../../src/run/scrub.js';

const ACCOUNT = 'Jane.Doe@Example.test';
const PASSWORDS = ['S3cr3t-Pa55word', 'pä"ss\\wörd =&<1>', 'abcd', 'hunter2'];

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const qp = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => ((b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** Every form of `pw` a server echo, a log line or an HTTP body could carry it in. */
function forms(pw: string): Array<[string, string]> {
  const user = ACCOUNT;
  const local = ACCOUNT.split('@')[0];
  return [
    ['raw', `PASS ${pw}`],
    ['IMAP quoted', `a1 LOGIN "${user}" "${pw.replace(/[\\"]/g, '\\$&')}"`],
    ['JSON body inside evidence', JSON.stringify({ user, password: pw })],
    ['JSON twice', JSON.stringify(JSON.stringify({ password: pw }))],
    ['JSON with \\u escapes', JSON.stringify({ password: pw }).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)],
    ['percent-encoded form', `username=${encodeURIComponent(user)}&password=${encodeURIComponent(pw)}`],
    ['percent-encoded, lower-case hex', `password=${encodeURIComponent(pw).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`],
    ['form-encoded', new URLSearchParams({ password: pw }).toString()],
    ['quoted-printable', `Password: ${qp(pw)}`],
    ['XML', `<Password>${pw.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}</Password>`],
    ['AUTH PLAIN \\0user\\0pass', `500 unrecognised command: AUTH PLAIN ${b64(`\0${user}\0${pw}`)}`],
    ['AUTH PLAIN user\\0user\\0pass', `AUTH PLAIN ${b64(`${user}\0${user}\0${pw}`)}`],
    ['AUTH PLAIN with the local part', `AUTH PLAIN ${b64(`\0${local}\0${pw}`)}`],
    ['AUTH PLAIN, URL-safe, unpadded', b64(`\0${user}\0${pw}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')],
    ['AUTH LOGIN password line', `C: ${b64(pw)}`],
    ['Basic user:pass', `Authorization: Basic ${b64(`${user}:${pw}`)}`],
    ['Basic with another user name', `Authorization: Basic ${b64(`EXAMPLE\\jdoe:${pw}`)}`],
    ['base64 at alignment 0', b64(`abc${pw}xyz`)],
    ['base64 at alignment 1', b64(`abcd${pw}xyz`)],
    ['base64 at alignment 2', b64(`abcde${pw}xyz`)],
    ['base64 of a JSON body', b64(JSON.stringify({ login: user, secret: pw, n: 1 }))],
  ];
}

/** Values cut by a length limit right after the first characters of the password or of one of its forms. */
function cuts(pw: string): Array<[string, string]> {
  const cut = (s: string, n: number) => s.slice(0, n);
  const plain = b64(`\0${ACCOUNT}\0${pw}`);
  const passwordStart = Math.floor((ACCOUNT.length + 2) * 4 / 3);
  return [
    ['raw, cut after 4 characters', `PASS ${cut(pw, 4)}`],
    ['raw, cut, with a truncation marker', `login ${ACCOUNT} ${cut(pw, 5)}…[truncated 2048 chars]`],
    ['raw, cut, with "..."', `"${cut(pw, 4)}...`],
    ['percent-encoded, cut', `password=${cut(encodeURIComponent(pw), 5)}`],
    ['AUTH PLAIN token cut inside the password', `AUTH PLAIN ${cut(plain, passwordStart + 3)}`],
    ['AUTH PLAIN token cut, with a marker', `AUTH PLAIN ${cut(plain, passwordStart + 6)}…`],
    ['Basic cut', `Basic ${cut(b64(`${ACCOUNT}:${pw}`), Math.floor((ACCOUNT.length + 1) * 4 / 3) + 4)}`],
    ['base64 of the password, cut', `C: ${cut(b64(pw), 4)}`],
  ];
}

/** True when no string of `v` holds the password, any of its forms, or 4+ of their first characters at a cut. */
function leaks(clean: string, pw: string): string | undefined {
  const bad = [pw, b64(pw).replace(/=+$/, ''), encodeURIComponent(pw), qp(pw), JSON.stringify(pw).slice(1, -1), ...base64Cores(Buffer.from(pw)).filter((c) => c.length >= 4)];
  return bad.find((b) => b.length >= 3 && clean.includes(b));
}

for (const pw of PASSWORDS) {
  describe(`password ${JSON.stringify(pw)}`, () => {
    const scrub = secretScrubber(pw, { account: ACCOUNT });
    for (const [name, value] of forms(pw)) {
      it(`redacts ${name}`, () => {
        const out = scrub({ status: 'fail', message: value, evidence: { line: value, nested: [{ v: value }] } });
        const text = JSON.stringify(out);
        assert.match(out.message, /\[redacted\]/, `${name}: ${out.message}`);
        assert.equal(leaks(out.message, pw), undefined, `${name} leaks: ${out.message}`);
        assert.equal(leaks(text, pw), undefined);
        assert.equal(out.evidence.nested[0].v, out.message);
      });
    }
    for (const [name, value] of cuts(pw)) {
      it(`redacts a value cut short: ${name}`, () => {
        const out = scrub({ evidence: { reply: value } }).evidence.reply;
        assert.match(out, /\[redacted\]/, `${name}: ${out}`);
        // What stays is what came before the password, and the truncation marker.
        assert.match(out.slice(out.indexOf('[redacted]') + '[redacted]'.length), /^(…|\.\.\.)?(\[truncated \d+ chars\])?$/, `${name}: ${out}`);
      });
    }
  });
}

describe('ordinary text', () => {
  const scrub = secretScrubber('S3cr3t-Pa55word', { account: ACCOUNT });
  it('is left alone, and the very same object comes back', () => {
    const outcome = {
      status: 'fail', code: 'AUTH_FAILED', message: 'IMAP login rejected for Jane.Doe@Example.test...',
      evidence: {
        host: 'ex.mail.example.net', response: 'NO [AUTHENTICATIONFAILED] Authentication failed.',
        banner: '220 ex.mail.example.net ESMTP Postfix (Debian/GNU)', capabilities: ['AUTH=PLAIN', 'AUTH=LOGIN', 'STARTTLS'],
        // The user name alone, as AUTH LOGIN sends it: no password in it.
        loginUser: b64(ACCOUNT), certificate: { subject: 'CN=ex.mail.example.net', fingerprint: 'AB:CD:EF:01' },
        note: 'a bypass around the S3cr gateway…', ms: 12, ok: false, none: null,
      },
    };
    assert.equal(scrub(outcome), outcome);
  });
  it('does not take words that end like the password\'s start for a cut password', () => {
    const o = { status: 'pass', message: 'firewall bypass', evidence: { mode: 'passive' } };
    assert.equal(secretScrubber('passw0rd!', { account: ACCOUNT })(o), o);
    assert.equal(secretScrubber('passw0rd!')({ message: 'PASS pass…' }).message, 'PASS [redacted]…');
  });
  it('keeps the text around a redacted password', () => {
    const out = scrub({ message: `550 5.7.1 <S3cr3t-Pa55word> rejected; see https://example.test/help` });
    assert.equal(out.message, '550 5.7.1 <[redacted]> rejected; see https://example.test/help');
  });
  it('is a no-op without a password, and without an account still covers the password\'s own forms', () => {
    const o = { message: 'x' };
    assert.equal(secretScrubber('')(o), o);
    const noAccount = secretScrubber('S3cr3t-Pa55word');
    const out = noAccount({ line: `AUTH PLAIN ${b64('\0someone@else.test\0S3cr3t-Pa55word')}` });
    assert.equal(out.line, 'AUTH PLAIN [redacted]');
  });
  it('scrubs bytes and dates as they would be stored', () => {
    const out = scrub({ raw: Buffer.from('PASS S3cr3t-Pa55word\r\n'), at: new Date(0) }) as unknown as { raw: string; at: Date };
    assert.equal(out.raw, 'PASS [redacted]\r\n');
  });
});

describe('base64Cores', () => {
  it('finds the password inside any base64 string that contains it, at each alignment', () => {
    const pw = Buffer.from('correct horse');
    const cores = base64Cores(pw);
    for (let pad = 0; pad < 6; pad++) {
      for (let tail = 0; tail < 3; tail++) {
        const enc = Buffer.concat([Buffer.from('x'.repeat(pad)), pw, Buffer.from('y'.repeat(tail))]).toString('base64');
        assert.ok(enc.includes(cores[pad % 3]), `pad ${pad}, tail ${tail}`);
      }
    }
  });
});
