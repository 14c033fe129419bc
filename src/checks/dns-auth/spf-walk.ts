// Follows a domain's SPF through include: and redirect= the way a receiver would, counting the DNS
// lookups it costs (RFC 7208 §4.6.4: more than 10 is a permerror) and collecting every problem, so
// that "which servers may send for this domain" is answered without sending anything.
import type { DnsAnswer } from '../../net/dns.js';
import { isSpfRecord, lookupTerms, parseSpf, SPF_LOOKUP_LIMIT, type SpfQualifier } from './spf-record.js';

export type TxtLookup = (name: string) => Promise<DnsAnswer<string>>;

export interface SpfVisit {
  name: string;
  via: 'domain' | 'include' | 'redirect';
  /** The SPF record found there (absent when none or several). */
  record?: string;
  /** DNS lookups this record's terms cost. */
  lookups?: number;
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
  /** Names reached through include: or redirect= (lower case). */
  reached: string[];
  /** The domain record's `all` qualifier, or 'redirect' when the policy comes from a redirect. */
  all?: SpfQualifier | 'redirect';
  /** Why a receiver would answer permerror (empty when none). */
  problems: string[];
  /** Names with macros, not followed (their target depends on the message). */
  notFollowed: string[];
  /** The first DNS failure (a receiver would answer temperror): we cannot decide. */
  dnsError?: { name: string; error: string };
}

/** Where the walk stops even when something is wrong with the count: one fetch per lookup, plus the domain. */
const MAX_FETCHES = SPF_LOOKUP_LIMIT + 1;

export async function walkSpf(domain: string, txt: TxtLookup, signal?: AbortSignal): Promise<SpfWalk> {
  const walk: SpfWalk = { found: 'none', records: [], chain: [], lookups: 0, limit: SPF_LOOKUP_LIMIT, reached: [], problems: [], notFollowed: [] };
  let fetches = 0;

  /** SPF records at `name`, or undefined after a DNS error (recorded). */
  async function spfAt(name: string): Promise<string[] | undefined> {
    fetches++;
    const answer = await txt(name);
    if (answer.ok) return answer.records.filter(isSpfRecord);
    if (answer.kind === 'error') {
      walk.dnsError ??= { name, error: answer.error };
      return undefined;
    }
    return [];
  }

  async function visit(name: string, via: SpfVisit['via'], records: string[]): Promise<void> {
    const label = via === 'domain' ? name : `${via === 'include' ? 'include:' : 'redirect='}${name}`;
    if (records.length !== 1) {
      walk.chain.push({ name, via });
      if (via !== 'domain') walk.problems.push(records.length ? `${label}: ${name} has ${records.length} SPF records` : `${label}: ${name} has no SPF record`);
      return;
    }
    const parsed = parseSpf(records[0]);
    const costly = lookupTerms(parsed);
    const entry: SpfVisit = { name, via, record: records[0], lookups: costly.length };
    walk.chain.push(entry);
    for (const err of parsed.errors) walk.problems.push(via === 'domain' ? err : `${label}: ${err}`);
    if (via === 'domain') walk.all = parsed.all ?? (parsed.redirect ? 'redirect' : undefined);
    // An included or redirected "+all" matches every sender too.
    if (parsed.all === '+') walk.problems.push(`${via === 'domain' ? '' : `${label}: `}"+all" authorises every server on the internet to send for the domain`);
    if (parsed.errors.length) return;
    walk.lookups += costly.length;
    for (const term of costly) {
      if (term.name !== 'include' && term.name !== 'redirect') continue;
      const target = term.value!;
      if (target.includes('%')) {
        walk.notFollowed.push(target);
        continue;
      }
      walk.reached.push(target);
      if (walk.lookups > SPF_LOOKUP_LIMIT || fetches >= MAX_FETCHES || walk.dnsError || signal?.aborted) return;
      const found = await spfAt(target);
      if (found === undefined) return;
      await visit(target, term.name, found);
    }
  }

  const own = await spfAt(domain);
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
  return walk;
}

/** Required names (the platform's) that the SPF does not reach through include: or redirect=. */
export function missingIncludes(walk: SpfWalk, required: string[]): string[] {
  const reached = new Set(walk.reached.map((n) => n.toLowerCase().replace(/\.$/, '')));
  return required.map((n) => n.toLowerCase().replace(/\.$/, '')).filter((n) => !reached.has(n));
}
