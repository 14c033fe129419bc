// Last line of defence between a check's outcome and Redis, logs and webhooks: whatever a check
// or a hostile server put in its evidence, the password leaves in none of the forms it travels
// in (SASL PLAIN/LOGIN and Basic base64 at any alignment, JSON, backslash, percent, quoted-printable
// and XML escapes), whole or cut short by a truncation.

export interface ScrubOptions {
  /** The mailbox address: SASL PLAIN and Basic carry it next to the password. */
  account?: string;
}

const REDACTED = '[redacted]';
/** Shortest cut of a password (or of a form of it) at the end of a value that is still redacted. */
const MIN_PREFIX = 4;

interface Needle {
  text: string;
  /** Base64: a match redacts the whole base64 token around it (its edges carry password bits too). */
  b64: boolean;
  /** A value ending with this many first characters of `text` (or more) counts as a cut password. */
  minPrefix: number;
}

/** Returns a function that redacts `secret` from any JSON-like value (same object when clean). */
export function secretScrubber(secret: string, opts: ScrubOptions = {}): <T>(o: T) => T {
  if (!secret) return <T>(o: T) => o;
  const needles = buildNeedles(secret, opts.account);
  const scrub = (s: string) => scrubString(s, needles);
  return <T>(o: T): T => walk(o, scrub) as T;
}

function buildNeedles(secret: string, account?: string): Needle[] {
  const out = new Map<string, Needle>();
  const add = (text: string, b64: boolean, minPrefix = MIN_PREFIX) => {
    const prev = out.get(text);
    if (text.length < 3 || (prev && prev.minPrefix <= minPrefix)) return;
    out.set(text, { text, b64, minPrefix: Math.max(MIN_PREFIX, minPrefix) });
  };
  const forms = [...new Set(textForms(secret))];
  for (const t of forms) add(t, false);
  // The password (or an escaped form, as in a JSON body) inside any longer base64 (PLAIN, Basic,
  // a token...): at each of the three alignments.
  for (const t of forms) {
    for (const core of base64Cores(Buffer.from(t, 'utf8'))) if (core.length >= 4) for (const v of alphabets(core)) add(v, true);
  }
  // Whole tokens, user name included, so a token cut before the password's own base64 still goes.
  const user = account?.trim();
  if (user) {
    const users = [...new Set([user, user.toLowerCase(), user.split('@')[0]])].filter(Boolean);
    const messages = users.flatMap((u) => [[`\0${u}\0`, secret], [`${u}\0${u}\0`, secret], [`${u}:`, secret]]);
    for (const [before, pw] of messages) {
      const token = Buffer.from(before + pw, 'utf8').toString('base64').replace(/=+$/, '');
      // A cut counts once it reaches the first base64 character that carries password bits.
      const firstPasswordChar = Math.floor((Buffer.byteLength(before) * 4) / 3) + 1;
      for (const v of alphabets(token)) add(v, true, firstPasswordChar);
    }
  }
  return [...out.values()].sort((a, b) => b.text.length - a.text.length);
}

/** The password as text, as the escapes of the protocols and formats it may cross would write it. */
function textForms(p: string): string[] {
  const bytes = Buffer.from(p, 'utf8');
  const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
  const json = JSON.stringify(p).slice(1, -1);
  const jsonAscii = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const percent = encodeURIComponent(p);
  return [
    p,
    json,
    jsonAscii,
    jsonAscii.replace(/\\u[0-9a-f]{4}/g, (m) => m.toUpperCase().replace('\\U', '\\u')),
    JSON.stringify(json).slice(1, -1),
    p.replace(/[\\"]/g, '\\$&'),
    p.replace(/[\\"']/g, '\\$&'),
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    new URLSearchParams({ p }).toString().slice(2),
    encodeURI(p),
    [...bytes].map((b) => ((b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${hex(b)}`)).join(''),
    p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;'),
    p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
  ];
}

/**
 * The base64 characters that depend on `bytes` alone when they sit at offset 0, 1 or 2 (mod 3)
 * of a longer encoded string: the characters mixed with neighbouring bytes are left out.
 */
export function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (const align of [0, 1, 2]) {
    const len = align + bytes.length;
    const enc = Buffer.concat([Buffer.alloc(align), bytes]).toString('base64');
    const skip = [0, 2, 3][align];
    const keep = Math.floor(len / 3) * 4 + (len % 3);
    cores.push(enc.slice(skip, keep));
  }
  return cores;
}

/** Standard base64 (also without padding) and its URL-safe alphabet. */
function alphabets(b64: string): string[] {
  const bare = b64.replace(/=+$/, '');
  return [...new Set([bare, bare.replace(/\+/g, '-').replace(/\//g, '_')])];
}

const B64_CHAR = /[A-Za-z0-9+/_-]/;
/** Markers a truncation leaves after a cut value (`…`, `...`, `…[truncated 12 chars]`). */
const TRUNCATION_MARK = /(?:\s*(?:…|\.\.\.)?\s*[[(][^[\]()]*\btrunc[^[\]()]*[\])]|\s*…|\s*\.\.\.)$/i;

function scrubString(s: string, needles: Needle[]): string {
  let out = s;
  for (const n of needles) {
    if (!out.includes(n.text)) continue;
    if (!n.b64) {
      out = out.split(n.text).join(REDACTED);
      continue;
    }
    let i: number;
    while ((i = out.indexOf(n.text)) >= 0) {
      const [start, end] = base64Run(out, i, i + n.text.length);
      out = `${out.slice(0, start)}${REDACTED}${out.slice(end)}`;
    }
  }
  return cutTail(out, needles);
}

/** The whole base64 token around [from, to): its edge characters mix in password bits. */
function base64Run(s: string, from: number, to: number): [number, number] {
  let start = from;
  let end = to;
  while (start > 0 && B64_CHAR.test(s[start - 1])) start--;
  while (end < s.length && B64_CHAR.test(s[end])) end++;
  while (end < s.length && s[end] === '=') end++;
  return [start, end];
}

/** A value that ends with the start of the password (or of a form of it): the rest was cut off. */
function cutTail(s: string, needles: Needle[]): string {
  const mark = TRUNCATION_MARK.exec(s)?.[0] ?? '';
  const body = s.slice(0, s.length - mark.length);
  for (const n of needles) {
    for (let k = Math.min(n.text.length - 1, body.length); k >= n.minPrefix; k--) {
      const start = body.length - k;
      if (!body.endsWith(n.text.slice(0, k))) continue;
      if (n.b64) return `${body.slice(0, base64Run(body, start, body.length)[0])}${REDACTED}${mark}`;
      // A word that merely ends like the password's start ("bypass" for "pass…") is not a cut,
      // nor is a whole short value without a truncation mark (a status "pass" for "passw0rd").
      if (start > 0 && /[A-Za-z0-9]/.test(n.text[0]) && /[A-Za-z0-9]/.test(body[start - 1])) continue;
      if (start === 0 && !mark) continue;
      return `${body.slice(0, start)}${REDACTED}${mark}`;
    }
  }
  return s;
}

/** Applies `f` to every string (keys included); returns the same object when nothing changed. */
function walk(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) {
    const mapped = v.map((x) => walk(x, f));
    return mapped.some((x, i) => x !== v[i]) ? mapped : v;
  }
  if (v && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    let changed = false;
    const entries = Object.entries(v).map(([k, x]) => {
      const [k2, x2] = [f(k), walk(x, f)];
      if (k2 !== k || x2 !== x) changed = true;
      return [k2, x2] as const;
    });
    return changed ? Object.fromEntries(entries) : v;
  }
  if (v instanceof Uint8Array) {
    // Raw bytes would be stored as a list of numbers, out of reach of any text search.
    const text = Buffer.from(v).toString('utf8');
    const clean = f(text);
    return clean === text ? v : clean;
  }
  if (v && typeof v === 'object') {
    // Dates, class instances: scrubbed as what they are stored as (their JSON).
    const json = JSON.stringify(v);
    if (json === undefined) return v;
    const plain = JSON.parse(json) as unknown;
    const clean = walk(plain, f);
    return clean === plain ? v : clean;
  }
  return v;
}
