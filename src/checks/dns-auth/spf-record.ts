// One SPF record (RFC 7208 §4.6, §12) parsed into terms, with every syntax error named, so the
// check can say exactly why a receiver would answer "permerror" instead of a vague "invalid".
import { isIPv4, isIPv6 } from '../../net/address-policy.js';

export type SpfQualifier = '+' | '-' | '~' | '?';
export const SPF_MECHANISMS = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'] as const;
export type SpfMechanismName = (typeof SPF_MECHANISMS)[number];

export interface SpfMechanism {
  kind: 'mechanism';
  qualifier: SpfQualifier;
  name: SpfMechanismName;
  /** The domain-spec or network after ':' (lower-cased domain, trailing dot removed). */
  value?: string;
  /** '/n', '//m' or '/n//m' after the value. */
  cidr?: string;
  text: string;
}

export interface SpfModifier { kind: 'modifier'; name: string; value: string; text: string }
export type SpfTerm = SpfMechanism | SpfModifier;

export interface ParsedSpf {
  terms: SpfTerm[];
  /** Syntax errors; any one makes the record a permerror. */
  errors: string[];
  /** The `all` mechanism's qualifier, when the record has one. */
  all?: SpfQualifier;
  /** The redirect= target; ignored by receivers when the record has an `all`. */
  redirect?: string;
}

/** Terms that cost a DNS lookup towards the limit of 10 (RFC 7208 §4.6.4). */
export const LOOKUP_TERMS: ReadonlySet<string> = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);
export const SPF_LOOKUP_LIMIT = 10;

/** RFC 7208 §4.5: a record is SPF when it is exactly "v=spf1" or starts with "v=spf1 ". */
export const isSpfRecord = (txt: string): boolean => /^v=spf1(?: |$)/i.test(txt);

/**
 * RFC 7208 §7.1: macro-expand = "%{" macro-letter transformers *delimiter "}" / "%%" / "%_" / "%-",
 * transformers = *DIGIT [ "r" ], delimiter = "." / "-" / "+" / "," / "/" / "_" / "=".
 */
const MACRO_EXPAND = /^%(?:\{([a-z])\d*r?[.\-+,/_=]*\}|[%_-])/i;
/** §7.2: expanded in term arguments. */
const TERM_MACRO_LETTERS = new Set(['s', 'l', 'o', 'd', 'i', 'p', 'h', 'v']);
/** §7.2: "allowed only in "exp" text" (the TXT record exp= points to), never in a domain-spec. */
const EXP_ONLY_LETTERS = new Set(['c', 'r', 't']);
/** §7.1: toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ). */
const TOPLABEL = /^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+-[a-z0-9-]*[a-z0-9])$/i;

export interface MacroString {
  error?: string;
  /** The last token is a macro-expand (a valid domain-end by itself). */
  endsWithMacro: boolean;
  /** Literal characters after the last macro-expand. */
  literalTail: string;
  hasMacro: boolean;
}

/**
 * Reads a macro-string (§7.1): macro-literal = %x21-24 / %x26-7E, i.e. any visible character but
 * "%", which must start a macro-expand. `letters` says which macro letters are allowed where the
 * string is used: `term` (domain-specs, §7.2) or `any` (the grammar alone, for unknown modifiers,
 * which receivers never expand).
 */
export function readMacroString(s: string, letters: 'term' | 'any'): MacroString {
  let i = 0;
  let tail = '';
  let endsWithMacro = false;
  let hasMacro = false;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '%') {
      const m = MACRO_EXPAND.exec(s.slice(i));
      if (!m) return { error: `invalid macro at "${s.slice(i, i + 8)}" (a "%" must start %{…}, %%, %_ or %-)`, endsWithMacro, literalTail: tail, hasMacro };
      const letter = m[1]?.toLowerCase();
      if (letter && letters === 'term' && !TERM_MACRO_LETTERS.has(letter)) {
        return {
          error: EXP_ONLY_LETTERS.has(letter)
            ? `macro %{${m[1]}} is allowed only in explanation text, not in a domain (RFC 7208 §7.2)`
            : `unknown macro letter "${m[1]}"`,
          endsWithMacro, literalTail: tail, hasMacro,
        };
      }
      if (letter && letters === 'any' && !TERM_MACRO_LETTERS.has(letter) && !EXP_ONLY_LETTERS.has(letter)) {
        return { error: `unknown macro letter "${m[1]}"`, endsWithMacro, literalTail: tail, hasMacro };
      }
      hasMacro = true;
      endsWithMacro = true;
      tail = '';
      i += m[0].length;
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code < 0x21 || code > 0x7e) return { error: 'invalid character', endsWithMacro, literalTail: tail, hasMacro };
    tail += ch;
    endsWithMacro = false;
    i++;
  }
  return { endsWithMacro, literalTail: tail, hasMacro };
}

/**
 * A domain-spec (§7.1): macro-string domain-end, domain-end = ( "." toplabel [ "." ] ) / macro-expand.
 * Anything visible but "%" may come before the domain-end (`foo:bar/baz.example.com` is valid).
 * Without macros, labels must also make a DNS name (no empty label, ≤ 63 characters each): the
 * test suite accepts either a permerror or a no-match there, and a name DNS cannot carry is a mistake.
 */
export function domainSpecError(spec: string): string | undefined {
  if (!spec) return 'empty domain';
  const ms = readMacroString(spec, 'term');
  if (ms.error) return ms.error;
  if (ms.endsWithMacro) return undefined;
  const tail = ms.literalTail.replace(/\.$/, '');
  const dot = tail.lastIndexOf('.');
  if (dot < 0) return ms.hasMacro ? 'does not end in a macro or a domain' : 'not a fully qualified domain';
  const top = tail.slice(dot + 1);
  if (!TOPLABEL.test(top)) return /^\d+$/.test(top) ? 'top label is numeric' : `"${top}" is not a valid top label`;
  if (!ms.hasMacro) {
    const name = spec.replace(/\.$/, '');
    if (name.length > 253 || name.split('.').some((l) => l.length === 0 || l.length > 63)) return 'not a domain name (empty or over-long label)';
  }
  return undefined;
}

function cidrError(cidr: string, v4max: number, v6max: number | undefined): string | undefined {
  const m = /^(?:\/(\d{1,3}))?(?:\/\/(\d{1,3}))?$/.exec(cidr);
  if (!m) return `invalid prefix length "${cidr}"`;
  if (m[2] !== undefined && v6max === undefined) return `invalid prefix length "${cidr}"`;
  if (m[1] !== undefined && (Number(m[1]) > v4max || /^0\d/.test(m[1]))) return `prefix length /${m[1]} out of range`;
  if (m[2] !== undefined && (Number(m[2]) > (v6max ?? 0) || /^0\d/.test(m[2]))) return `prefix length //${m[2]} out of range`;
  return undefined;
}

/**
 * §5.3/§5.4: a = "a" [ ":" domain-spec ] [ dual-cidr-length ]. Only a trailing "/digits", "//digits"
 * or "/digits//digits" is a prefix length; any other "/" belongs to the domain-spec.
 */
function splitDualCidr(arg: string): { spec: string; cidr: string } {
  const m = /^(.*?)((?:\/\d+)?(?:\/\/\d+)?)$/s.exec(arg)!;
  return { spec: m[1], cidr: m[2] };
}

function parseMechanism(text: string): SpfMechanism | string {
  const qualified = '+-~?'.includes(text[0]);
  const qualifier = (qualified ? text[0] : '+') as SpfQualifier;
  const body = qualified ? text.slice(1) : text;
  const m = /^([a-z][a-z0-9]*)(.*)$/is.exec(body);
  if (!m) return `"${text}": not a mechanism`;
  const name = m[1].toLowerCase();
  const rest = m[2];
  if (!(SPF_MECHANISMS as readonly string[]).includes(name)) return `"${text}": unknown mechanism "${name}"`;
  const mech: SpfMechanism = { kind: 'mechanism', qualifier, name: name as SpfMechanismName, text };
  const bad = (why: string) => `"${text}": ${why}`;
  const domain = (spec: string): string | undefined => {
    const err = domainSpecError(spec);
    if (err) return err;
    mech.value = spec.replace(/\.$/, '').toLowerCase();
    return undefined;
  };
  switch (mech.name) {
    case 'all':
      return rest === '' ? mech : bad('"all" takes no argument');
    case 'include':
    case 'exists': {
      // §5.2, §5.7: include = "include" ":" domain-spec; exists = "exists" ":" domain-spec.
      if (!rest.startsWith(':') || rest.length === 1) return bad(`"${mech.name}" needs a domain`);
      const spec = rest.slice(1);
      const err = domainSpecError(spec);
      if (err) {
        const trimmed = splitDualCidr(spec);
        return bad(trimmed.cidr && !domainSpecError(trimmed.spec) ? 'no prefix length allowed' : err);
      }
      mech.value = spec.replace(/\.$/, '').toLowerCase();
      return mech;
    }
    case 'ptr': {
      // §5.5: ptr = "ptr" [ ":" domain-spec ].
      if (rest === '') return mech;
      if (!rest.startsWith(':')) return bad(/^\/\/?\d/.test(rest) ? 'no prefix length allowed' : 'not a mechanism');
      const err = domain(rest.slice(1));
      return err ? bad(err) : mech;
    }
    case 'a':
    case 'mx': {
      if (rest !== '' && !rest.startsWith(':') && !rest.startsWith('/')) return bad('not a mechanism');
      const { spec, cidr } = rest.startsWith(':') ? splitDualCidr(rest.slice(1)) : { spec: undefined, cidr: rest };
      if (spec !== undefined) {
        const err = domain(spec);
        if (err) return bad(err);
      }
      if (cidr) {
        const err = cidrError(cidr, 32, 128);
        if (err) return bad(err);
        mech.cidr = cidr;
      }
      return mech;
    }
    case 'ip4':
    case 'ip6': {
      if (!rest.startsWith(':') || rest.length === 1) return bad(`"${mech.name}" needs an address`);
      const slash = rest.indexOf('/');
      const value = rest.slice(1, slash < 0 ? undefined : slash);
      const cidr = slash < 0 ? '' : rest.slice(slash);
      const ok = mech.name === 'ip4' ? isIPv4(value) : isIPv6(value);
      if (!ok) return bad(`"${value}" is not an IPv${mech.name === 'ip4' ? 4 : 6} address`);
      if (cidr) {
        // §5.6: ip4-cidr-length = "/" …, ip6-cidr-length = "/" … (one slash each, no dual form).
        const err = mech.name === 'ip4' ? cidrError(cidr, 32, undefined) : cidrError(cidr.replace(/^\//, '//'), 0, 128);
        if (err) return bad(err);
        mech.cidr = cidr;
      }
      mech.value = value.toLowerCase();
      return mech;
    }
  }
}

/** Parses a record already known to start with v=spf1. */
export function parseSpf(record: string): ParsedSpf {
  const errors: string[] = [];
  const terms: SpfTerm[] = [];
  if (!isSpfRecord(record)) return { terms, errors: ['the record does not start with "v=spf1"'] };
  // §4.6.1: terms are separated by one or more spaces (a tab or other whitespace is not allowed).
  if (/[^\x20-\x7e]/.test(record)) errors.push('the record contains characters other than printable ASCII and spaces');
  const seen = new Set<string>();
  for (const text of record.slice(6).split(' ').filter(Boolean)) {
    // §4.6.1: modifier = name "=" …, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
    const mod = /^([a-z][a-z0-9_.-]*)=(.*)$/is.exec(text);
    if (mod) {
      const name = mod[1].toLowerCase();
      if ((name === 'redirect' || name === 'exp') && seen.has(name)) errors.push(`"${name}=" appears more than once`);
      seen.add(name);
      if (name === 'redirect' || name === 'exp') {
        // §6.1, §6.2: redirect = "redirect" "=" domain-spec; explanation = "exp" "=" domain-spec.
        const err = domainSpecError(mod[2]);
        if (err) errors.push(`"${text}": ${err}`);
      } else {
        // §6 / Appendix A: unknown-modifier = name "=" macro-string; receivers ignore it, but only
        // once it parses.
        const err = readMacroString(mod[2], 'any').error;
        if (err) errors.push(`"${text}": ${err}`);
      }
      const value = name === 'redirect' ? mod[2].replace(/\.$/, '').toLowerCase() : mod[2];
      terms.push({ kind: 'modifier', name, value, text });
      continue;
    }
    const mech = parseMechanism(text);
    if (typeof mech === 'string') errors.push(mech);
    else terms.push(mech);
  }
  const all = terms.find((t): t is SpfMechanism => t.kind === 'mechanism' && t.name === 'all');
  const redirect = terms.find((t): t is SpfModifier => t.kind === 'modifier' && t.name === 'redirect');
  return { terms, errors, all: all?.qualifier, redirect: redirect?.value };
}

/** The record's terms that cost a DNS lookup (redirect only when it is used, i.e. without `all`). */
export function lookupTerms(p: ParsedSpf): SpfTerm[] {
  return p.terms.filter((t) => LOOKUP_TERMS.has(t.name) && (t.name !== 'redirect' || p.all === undefined));
}
