// Follows a domain's SPF the way a receiver would, term by term and into include: and redirect=,
// counting what RFC 7208 §4.6.4 limits: at most 10 terms that cost a DNS lookup, at most 10 MX
// names per "mx" mechanism, at most 2 "void" lookups (an answer with no records, or NXDOMAIN).
// The a, mx and exists targets are resolved to count those, so "which servers may send for this
// domain, and can a receiver evaluate it" is answered without sending anything.
import type { DnsAnswer } from '../../net/dns.js';
import { isSpfRecord, lookupTerms, parseSpf, SPF_LOOKUP_LIMIT, type SpfQualifier, type SpfTerm } from './spf-record.js';

export type TxtLookup = (name: string) => Promise<DnsAnswer<string>>;

/** The lookups a walk may make; without `mx`/`addresses`, a/mx/exists targets are not resolved. */
export interface SpfDns {
  txt: TxtLookup;
  mx?: (name: string) => Promise<DnsAnswer<{ exchange: string; priority: number }>>;
  addresses?: (name: string) => Promise<DnsAnswer<string>>;
}

/** §4.6.4: "SPF implementations SHOULD limit "void lookups" to two". */
export const SPF_VOID_LIMIT = 2;
/** §4.6.4: the evaluation of each "MX" record MUST NOT query more than 10 address records. */
export const SPF_MX_NAME_LIMIT = 10;

export interface SpfVisit {
  name: string;
  via: 'domain' | 'include' | 'redirect';
  /** The SPF record found there (absent when none or several). */
  record?: string;
  /** DNS lookups this record's terms cost. */
  lookups?: number;
}

/** One a/mx/exists/include/redirect target as it resolved. */
export interface SpfTarget {
  term: string;
  name: string;
  /** records: the name answered; void: NXDOMAIN or no records (§4.6.4); unresolved: not asked (see why). */
  answer: 'records' | 'void' | 'unresolved';
  records?: number;
  why?: string;
}

export interface SpfWalk {
  /** Outcome of the domain's own TXT lookup. */
  found: 'one' | 'none' | 'several' | 'dns-error';
  /** Every SPF record of the domain itself (several is a permerror). */
  records: string[];
  /** Records visited, in evaluation order. */
  chain: SpfVisit[];
  /** DNS lookups counted over the whole evaluation, and the limit. */
  lookups: number;
  limit: number;
  /** Void lookups counted (§4.6.4), and their limit. */
  voidLookups: number;
  voidLimit: number;
  /** Targets of a, mx, exists, include and redirect terms, as resolved. */
  targets: SpfTarget[];
  /** Names reached through include: or redirect= (lower case). */
  reached: string[];
  /** The domain record's `all` qualifier, or 'redirect' when the policy comes from a redirect. */
  all?: SpfQualifier | 'redirect';
  /** Why a receiver would answer permerror (empty when none). */
  problems: string[];
  /** Names with macros, not followed (their target depends on the message). */
  notFollowed: string[];
  /** The first DNS failure (a receiver would answer temperror): we cannot decide. */
  dnsError?: { name: string; type: 'TXT' | 'MX' | 'A/AAAA'; error: string };
}

/** Where the walk stops even when something is wrong with the count: one fetch per lookup, plus the domain. */
const MAX_FETCHES = SPF_LOOKUP_LIMIT + 1;

/** Our resolver refuses to put this name on the wire (e.g. "foo:bar/baz.example.com"): nothing was looked up. */
const isBadName = (error: string) => /^EBADNAME|^EBADQUERY|^EBADRESP/.test(error);
/** The name has addresses, all of them refused for connections by the egress policy: not void. */
const isRefusedAddresses = (error: string) => error.startsWith('EGRESS_FORBIDDEN');

export async function walkSpf(domain: string, lookups: SpfDns | TxtLookup, signal?: AbortSignal): Promise<SpfWalk> {
  const dns: SpfDns = typeof lookups === 'function' ? { txt: lookups } : lookups;
  const walk: SpfWalk = {
    found: 'none', records: [], chain: [], lookups: 0, limit: SPF_LOOKUP_LIMIT, voidLookups: 0, voidLimit: SPF_VOID_LIMIT,
    targets: [], reached: [], problems: [], notFollowed: [],
  };
  let fetches = 0;
  const stopped = () => walk.lookups > SPF_LOOKUP_LIMIT || !!walk.dnsError || !!signal?.aborted;

  /** Records one resolved answer; undefined after a DNS failure (recorded: temperror). */
  function judge<T>(term: string, name: string, type: 'TXT' | 'MX' | 'A/AAAA', answer: DnsAnswer<T>): SpfTarget | undefined {
    if (answer.ok) return push({ term, name, answer: 'records', records: answer.records.length });
    if (answer.kind !== 'error') {
      walk.voidLookups++;
      return push({ term, name, answer: 'void', why: answer.kind });
    }
    if (isRefusedAddresses(answer.error)) return push({ term, name, answer: 'records', why: 'addresses refused by the egress policy' });
    if (isBadName(answer.error)) return push({ term, name, answer: 'unresolved', why: `not a name our resolver can ask (${answer.error})` });
    walk.dnsError ??= { name, type, error: answer.error };
    return undefined;
  }
  const push = (t: SpfTarget) => { walk.targets.push(t); return t; };

  /** SPF records at `name`, or undefined after a DNS error (recorded). */
  async function spfAt(term: string, name: string): Promise<string[] | undefined> {
    fetches++;
    const answer = await dns.txt(name);
    if (term) {
      const t = judge(term, name, 'TXT', answer);
      if (!t) return undefined;
      if (t.answer === 'unresolved') return undefined;
    } else if (!answer.ok && answer.kind === 'error') {
      walk.dnsError ??= { name, type: 'TXT', error: answer.error };
      return undefined;
    }
    return answer.ok ? answer.records.filter(isSpfRecord) : [];
  }

  /** Resolves an a/mx/exists target: counts void answers and MX names (§4.6.4). */
  async function resolveTarget(term: SpfTerm, current: string, label: string): Promise<void> {
    if (term.kind !== 'mechanism' || !['a', 'mx', 'exists'].includes(term.name)) return;
    // §5.3, §5.4: without a domain-spec the target is the current <domain>.
    const name = term.value ?? current;
    if (name.includes('%')) {
      walk.notFollowed.push(name);
      return;
    }
    if (term.name === 'mx') {
      if (!dns.mx) return;
      const t = judge(term.text, name, 'MX', await dns.mx(name));
      if (t?.answer === 'records' && (t.records ?? 0) > SPF_MX_NAME_LIMIT) {
        walk.problems.push(`${label}"${term.text}": ${name} has ${t.records} MX records; a receiver looks up at most ${SPF_MX_NAME_LIMIT} per "mx" (RFC 7208 §4.6.4: permerror)`);
      }
      return;
    }
    // a: the A or AAAA records of the client's family; counted void only when it has neither, so a
    // host reachable over one family is never blamed. exists: an A lookup (§5.7).
    if (!dns.addresses) return;
    judge(term.text, name, 'A/AAAA', await dns.addresses(name));
  }

  async function visit(name: string, via: SpfVisit['via'], records: string[]): Promise<void> {
    const label = via === 'domain' ? name : `${via === 'include' ? 'include:' : 'redirect='}${name}`;
    const prefix = via === 'domain' ? '' : `${label}: `;
    if (records.length !== 1) {
      walk.chain.push({ name, via });
      if (via !== 'domain') walk.problems.push(records.length ? `${label}: ${name} has ${records.length} SPF records` : `${label}: ${name} has no SPF record`);
      return;
    }
    const parsed = parseSpf(records[0]);
    // §4.6.4: include, a, mx, ptr, exists and (when used) redirect each cost one lookup.
    const costly = lookupTerms(parsed);
    const entry: SpfVisit = { name, via, record: records[0], lookups: costly.length };
    walk.chain.push(entry);
    for (const err of parsed.errors) walk.problems.push(`${prefix}${err}`);
    if (via === 'domain') walk.all = parsed.all ?? (parsed.redirect ? 'redirect' : undefined);
    // An included or redirected "+all" matches every sender too.
    if (parsed.all === '+') walk.problems.push(`${prefix}"+all" authorises every server on the internet to send for the domain`);
    if (parsed.errors.length) return;
    for (const term of costly) {
      walk.lookups++;
      if (stopped()) return;
      if (term.name !== 'include' && term.name !== 'redirect') {
        await resolveTarget(term, name, prefix);
        continue;
      }
      const target = term.value!;
      if (target.includes('%')) {
        walk.notFollowed.push(target);
        continue;
      }
      walk.reached.push(target);
      if (fetches >= MAX_FETCHES) return;
      const found = await spfAt(term.text, target);
      if (found === undefined) {
        if (walk.dnsError) return;
        walk.notFollowed.push(target);
        continue;
      }
      await visit(target, term.name, found);
    }
  }

  const own = await spfAt('', domain);
  if (own === undefined) return { ...walk, found: 'dns-error' };
  walk.records = own;
  if (own.length === 0) return walk;
  if (own.length > 1) {
    walk.found = 'several';
    walk.problems.push(`${domain} publishes ${own.length} SPF records; RFC 7208 allows one`);
    return walk;
  }
  walk.found = 'one';
  await visit(domain, 'domain', own);
  if (walk.lookups > SPF_LOOKUP_LIMIT) walk.problems.push(`more than ${SPF_LOOKUP_LIMIT} DNS lookups (${walk.lookups} counted before stopping)`);
  if (walk.voidLookups > SPF_VOID_LIMIT) {
    const names = walk.targets.filter((t) => t.answer === 'void').map((t) => `${t.name} (${t.why})`);
    walk.problems.push(`more than ${SPF_VOID_LIMIT} DNS lookups return nothing (${walk.voidLookups}: ${names.join(', ')}); receivers give up (RFC 7208 §4.6.4: permerror)`);
  }
  return walk;
}

/** Required names (the platform's) that the SPF does not reach through include: or redirect=. */
export function missingIncludes(walk: SpfWalk, required: string[]): string[] {
  const reached = new Set(walk.reached.map((n) => n.toLowerCase().replace(/\.$/, '')));
  return required.map((n) => n.toLowerCase().replace(/\.$/, '')).filter((n) => !reached.has(n));
}
