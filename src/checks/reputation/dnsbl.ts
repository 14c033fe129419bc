// DNS blocklists (RFC 5782): an address is listed in a zone when `<reversed address>.<zone>` has an
// A record in 127.0.0.0/8. Pure rules for reading the answers, kept apart from the lookups.
import { parseIp } from '../../net/address-policy.js';

/**
 * Codes some zones return for a refused query, not a listing (Spamhaus: 127.255.255.252 typing
 * error in the zone name, .254 query through a public/open resolver, .255 excessive queries).
 */
const REFUSAL = /^127\.255\.255\.\d+$/;

export type ListingVerdict =
  | { listed: true; codes: string[] }
  | { listed: false; refused?: string; codes?: string[] };

/** RFC 5782 §2.3: an A record in 127.0.0.0/8 is a listing; anything else is not one. */
export function readListing(addresses: string[]): ListingVerdict {
  const refusals = addresses.filter((a) => REFUSAL.test(a));
  const codes = addresses.filter((a) => /^127\./.test(a) && !REFUSAL.test(a));
  if (codes.length) return { listed: true, codes };
  if (refusals.length) return { listed: false, refused: `the zone refused the query (${refusals.join(', ')}: typically a public resolver or a query limit)`, codes: refusals };
  return { listed: false, ...(addresses.length ? { codes: addresses } : {}) };
}

/**
 * RFC 5782 §5: an IPv4 list must list 127.0.0.2 (its test entry) and must not list 127.0.0.1.
 * A zone that lists 127.0.0.1 lists everything (an expired or hijacked zone): its answers are
 * ignored. One that does not list 127.0.0.2 is not answering us as a blocklist should.
 */
export function zoneHealth(testEntry: ListingVerdict | 'error', mustNotList: ListingVerdict | 'error'): { usable: boolean; note?: string } {
  if (mustNotList !== 'error' && mustNotList.listed) return { usable: false, note: 'it lists 127.0.0.1, which no blocklist may list: it answers "listed" for everything (RFC 5782 §5)' };
  if (testEntry === 'error' || mustNotList === 'error') return { usable: false, note: 'its test entries could not be looked up' };
  if (!testEntry.listed) return { usable: false, note: testEntry.refused ?? 'it does not list its test entry 127.0.0.2 (RFC 5782 §5): not answering as a blocklist' };
  return { usable: true };
}

/** The same address in one spelling, for comparisons (forward-confirmed reverse DNS). */
export const sameAddress = (a: string, b: string) => {
  const x = parseIp(a);
  const y = parseIp(b);
  return !!x && !!y && x.toString() === y.toString();
};
