// Finds a password in text in the forms it can leak in from hostile servers and cut evidence: clear,
// JSON- or URL-escaped, inside any base64 token (AUTH PLAIN's "\0user\0pass", Basic "user:pass"),
// and as a long enough piece of it (a prefix or suffix left by truncation).
import { secretForms } from './service.js';

/** Shortest piece of the password that counts as a leak (the tests use long random passwords). */
const MIN_PIECE = 10;

function pieces(secret: string): string[] {
  if (secret.length <= MIN_PIECE) return [secret];
  const out = new Set<string>();
  for (let i = 0; i + MIN_PIECE <= secret.length; i++) out.add(secret.slice(i, i + MIN_PIECE));
  return [...out];
}

function decodedBase64Tokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)) {
    // A token cut at its start loses the 4-character alignment: try every offset.
    for (let off = 0; off < 4; off++) {
      const t = m[0].slice(off);
      out.push(Buffer.from(t.slice(0, t.length - (t.length % 4)), 'base64').toString('latin1'));
    }
  }
  return out;
}

/** Where in `text` the password shows, or undefined. */
export function findLeak(secret: string, text: string): string | undefined {
  const unescaped = text.replace(/\\u0000/g, '\0').replace(/\\(["\\/])/g, '$1');
  const haystacks = [text, unescaped, decodeURIComponentSafe(text), ...decodedBase64Tokens(unescaped)];
  for (const form of secretForms(secret)) if (text.includes(form)) return `as ${form === secret ? 'clear text' : `an encoding (${form})`}`;
  for (const piece of pieces(secret)) {
    const hit = haystacks.find((h) => h.includes(piece));
    if (hit !== undefined) return `a piece of it (${piece}) in ${hit === text ? 'the text' : 'a decoded form'}`;
  }
  return undefined;
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** Fails with where the password was found, for each text of `texts`. */
export function assertNoLeak(secret: string, where: string, texts: Iterable<string>): void {
  for (const t of texts) {
    const how = findLeak(secret, t);
    if (how) {
      const at = Math.max(0, t.indexOf(secret.slice(0, 4)) - 150);
      throw new Error(`${where} holds the password ${how}: …${t.slice(at, at + 400)}…`);
    }
  }
}
