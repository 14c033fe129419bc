// Pure comparisons of DNS answers with what the account's platform expects (MX hosts, Autodiscover SRV).
// Kept apart from the checks so the rules are tested without a resolver.

export const normaliseHost = (h: string) => h.trim().replace(/\.$/, '').toLowerCase();

export interface MxComparison {
  ok: boolean;
  /** MX hosts of the domain that are not among the expected ones. */
  unexpected: string[];
  /** RFC 7505 "null MX" (the domain says it accepts no mail). */
  nullMx: boolean;
}

export function compareMx(records: Array<{ exchange: string; priority: number }>, expected: string[]): MxComparison {
  const want = new Set(expected.map(normaliseHost));
  const hosts = records.map((r) => normaliseHost(r.exchange));
  const nullMx = hosts.some((h) => h === '');
  const unexpected = [...new Set(hosts.filter((h) => !want.has(h)))].map((h) => (h === '' ? '.' : h));
  return { ok: hosts.length > 0 && unexpected.length === 0, unexpected, nullMx };
}

export interface SrvRecord { name: string; port: number; priority: number; weight: number }
export interface SrvExpectation { target: string; port: number; priority: number; weight: number }

export interface SrvDifference { field: 'priority' | 'weight' | 'port' | 'target'; expected: string | number; actual: string | number }

export interface SrvComparison {
  ok: boolean;
  /** The record a client uses: lowest priority, then highest weight. */
  chosen: SrvRecord;
  differences: SrvDifference[];
}

export function compareSrv(records: SrvRecord[], want: SrvExpectation): SrvComparison {
  const sorted = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  // Prefer an exact match if the zone has one among several records, else judge the record a client picks.
  const exact = sorted.find((r) => diff(r, want).length === 0);
  const chosen = exact ?? sorted[0];
  const differences = diff(chosen, want);
  return { ok: differences.length === 0, chosen, differences };
}

function diff(r: SrvRecord, want: SrvExpectation): SrvDifference[] {
  const out: SrvDifference[] = [];
  if (r.priority !== want.priority) out.push({ field: 'priority', expected: want.priority, actual: r.priority });
  if (r.weight !== want.weight) out.push({ field: 'weight', expected: want.weight, actual: r.weight });
  if (r.port !== want.port) out.push({ field: 'port', expected: want.port, actual: r.port });
  if (normaliseHost(r.name) !== normaliseHost(want.target)) out.push({ field: 'target', expected: normaliseHost(want.target), actual: normaliseHost(r.name) });
  return out;
}
