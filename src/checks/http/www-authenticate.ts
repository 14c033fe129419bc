// Parses WWW-Authenticate (RFC 9110 §11.6.1) far enough to know which schemes a server offers
// and their realm: we send a password only with a scheme we can use (Basic).
export interface Challenge {
  /** Lower-case scheme name (basic, negotiate, ntlm, bearer, …). */
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

export function parseWwwAuthenticate(values: string | string[] | undefined): Challenge[] {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  return list.flatMap(parseOne);
}

export const offeredSchemes = (challenges: Challenge[]): string[] => [...new Set(challenges.map((c) => c.scheme))];

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

function parseOne(header: string): Challenge[] {
  const out: Challenge[] = [];
  let s = header.trim();
  let current: Challenge | undefined;
  while (s.length) {
    s = s.replace(/^[\s,]+/, '');
    if (!s.length) break;
    const tok = TOKEN.exec(s)?.[0];
    if (!tok) { s = s.slice(1); continue; }
    const rest = s.slice(tok.length);
    const param = /^\s*=\s*/.exec(rest);
    if (param && current && current.token68 === undefined) {
      // auth-param: name = token / quoted-string
      s = rest.slice(param[0].length);
      const [value, after] = readValue(s);
      current.params[tok.toLowerCase()] = value;
      s = after;
      continue;
    }
    // A new challenge: scheme, optionally followed by a token68.
    current = { scheme: tok.toLowerCase(), params: {} };
    out.push(current);
    s = rest;
    const t68 = /^ +([A-Za-z0-9\-._~+/]+=*)\s*(?:,|$)/.exec(s);
    if (t68 && !/^ +[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=\s*[^=,\s]/.test(s)) {
      current.token68 = t68[1];
      s = s.slice(t68[0].length);
    }
  }
  return out;
}

function readValue(s: string): [string, string] {
  if (s.startsWith('"')) {
    let v = '';
    let i = 1;
    for (; i < s.length && s[i] !== '"'; i++) {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      v += s[i];
    }
    return [v, s.slice(i + 1)];
  }
  const tok = /^[^,\s]*/.exec(s)![0];
  return [tok, s.slice(tok.length)];
}
