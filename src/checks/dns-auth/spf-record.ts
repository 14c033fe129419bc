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
  /** '/n' or '/n//m' after the value. */
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

const MACRO = /%\{[slodiphcrtv]\d*r?[.\-+,/_=]*\}|%%|%_|%-/gi;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** A domain-spec (§7.1): macro-string ending in a domain name or a macro. */
function domainSpecError(spec: string): string | undefined {
  if (!spec) return 'empty domain';
  if (/[^\x21-\x7e]/.test(spec)) return 'invalid character';
  if (spec.includes('%')) {
    const rest = spec.replace(MACRO, '');
    if (rest.includes('%')) return 'invalid macro';
    return undefined;
  }
  const name = spec.replace(/\.$/, '');
  const labels = name.split('.');
  if (labels.length < 2) return 'not a fully qualified domain';
  if (name.length > 253 || !labels.every((l) => LABEL.test(l))) return 'not a domain name';
  if (/^\d+$/.test(labels[labels.length - 1])) return 'top label is numeric';
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

function parseMechanism(text: string): SpfMechanism | string {
  const qualifier = ('+-~?'.includes(text[0]) ? text[0] : '+') as SpfQualifier;
  const body = '+-~?'.includes(text[0]) ? text.slice(1) : text;
  const m = /^([a-z0-9]+)(?::([^/]*))?(\/.*)?$/i.exec(body);
  if (!m) return `"${text}": not a mechanism`;
  const name = m[1].toLowerCase();
  if (!(SPF_MECHANISMS as readonly string[]).includes(name)) return `"${text}": unknown mechanism "${name}"`;
  const value = m[2];
  const cidr = m[3];
  const mech: SpfMechanism = { kind: 'mechanism', qualifier, name: name as SpfMechanismName, text };
  const bad = (why: string) => `"${text}": ${why}`;
  switch (mech.name) {
    case 'all':
      if (value !== undefined || cidr) return bad('"all" takes no argument');
      return mech;
    case 'include':
    case 'exists':
      if (value === undefined) return bad(`"${mech.name}" needs a domain`);
      if (cidr) return bad('no prefix length allowed');
      break;
    case 'ptr':
      if (cidr) return bad('no prefix length allowed');
      break;
    case 'a':
    case 'mx':
      if (cidr) {
        const err = cidrError(cidr, 32, 128);
        if (err) return bad(err);
        mech.cidr = cidr;
      }
      break;
    case 'ip4':
    case 'ip6': {
      if (!value) return bad(`"${mech.name}" needs an address`);
      const ok = mech.name === 'ip4' ? isIPv4(value) : isIPv6(value);
      if (!ok) return bad(`"${value}" is not an IPv${mech.name === 'ip4' ? 4 : 6} address`);
      if (cidr) {
        const err = mech.name === 'ip4' ? cidrError(cidr, 32, undefined) : cidrError(cidr.replace(/^\//, '//'), 0, 128);
        if (err) return bad(err);
        mech.cidr = cidr;
      }
      mech.value = value.toLowerCase();
      return mech;
    }
  }
  if (value !== undefined) {
    const err = domainSpecError(value);
    if (err) return bad(err);
    mech.value = value.replace(/\.$/, '').toLowerCase();
  }
  return mech;
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
    const mod = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(text);
    if (mod) {
      const name = mod[1].toLowerCase();
      if ((name === 'redirect' || name === 'exp') && seen.has(name)) errors.push(`"${name}=" appears more than once`);
      seen.add(name);
      if (name === 'redirect' || name === 'exp') {
        const err = domainSpecError(mod[2]);
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
