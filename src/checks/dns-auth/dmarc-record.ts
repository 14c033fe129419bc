// One DMARC record (RFC 7489 §6.3–6.4) parsed into its tags, with every problem named, so the check
// can tell "receivers ignore this record" apart from "the policy is only monitoring".

export const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const;
export type DmarcPolicy = (typeof DMARC_POLICIES)[number];

export interface ParsedDmarc {
  tags: Record<string, string>;
  policy?: DmarcPolicy;
  subdomainPolicy?: DmarcPolicy;
  /** Percentage of failing mail the policy applies to (default 100). */
  pct: number;
  /** DKIM and SPF identifier alignment: relaxed (default) or strict. */
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  ruf: string[];
  /** Why a receiver would ignore or misread the record (empty when none). */
  problems: string[];
}

/** §6.4: the record must begin with the v=DMARC1 tag (exact value); other TXT records are ignored. */
export const isDmarcRecord = (txt: string): boolean => /^v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(txt);

const isPolicy = (v: string): v is DmarcPolicy => (DMARC_POLICIES as readonly string[]).includes(v);

function uriProblems(tag: string, value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',').map((u) => u.trim())) {
    const uri = raw.replace(/!\d+[kmgt]?$/i, '');
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) out.push(`${tag}: "${raw}" is not a URI`);
    else if (/^mailto:/i.test(uri) && !/^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(uri)) out.push(`${tag}: "${raw}" is not a mail address`);
  }
  return out;
}

export function parseDmarc(record: string): ParsedDmarc {
  const problems: string[] = [];
  const tags: Record<string, string> = {};
  if (!isDmarcRecord(record)) problems.push('the record does not start with "v=DMARC1"');
  for (const part of record.split(';').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z][a-z0-9]*)[ \t]*=[ \t]*(.*)$/i.exec(part);
    if (!m) {
      problems.push(`"${part}" is not a tag=value pair`);
      continue;
    }
    const name = m[1].toLowerCase();
    if (name in tags) problems.push(`tag "${name}" appears more than once`);
    else tags[name] = m[2];
  }
  const lower = (t: string) => tags[t]?.toLowerCase();
  const p = lower('p');
  const sp = lower('sp');
  if (p === undefined) problems.push('no "p=" policy tag');
  else if (!isPolicy(p)) problems.push(`p=${tags.p}: the policy must be none, quarantine or reject`);
  if (sp !== undefined && !isPolicy(sp)) problems.push(`sp=${tags.sp}: the policy must be none, quarantine or reject`);
  let pct = 100;
  if (tags.pct !== undefined) {
    if (/^\d{1,3}$/.test(tags.pct) && Number(tags.pct) <= 100) pct = Number(tags.pct);
    else problems.push(`pct=${tags.pct}: must be a whole number from 0 to 100`);
  }
  const alignment = (t: 'adkim' | 'aspf'): 'r' | 's' => {
    const v = lower(t);
    if (v === undefined || v === 'r' || v === 's') return v ?? 'r';
    problems.push(`${t}=${tags[t]}: must be r (relaxed) or s (strict)`);
    return 'r';
  };
  const adkim = alignment('adkim');
  const aspf = alignment('aspf');
  const uris = (t: 'rua' | 'ruf') => {
    if (tags[t] === undefined) return [];
    problems.push(...uriProblems(t, tags[t]));
    return tags[t].split(',').map((u) => u.trim()).filter(Boolean);
  };
  const rua = uris('rua');
  const ruf = uris('ruf');
  if (tags.ri !== undefined && !/^\d+$/.test(tags.ri)) problems.push(`ri=${tags.ri}: must be a number of seconds`);
  if (tags.fo !== undefined && !/^[01ds](:[01ds])*$/i.test(tags.fo.replace(/[ \t]/g, ''))) problems.push(`fo=${tags.fo}: must be 0, 1, d or s, separated by ":"`);
  return {
    tags,
    policy: p !== undefined && isPolicy(p) ? p : undefined,
    subdomainPolicy: sp !== undefined && isPolicy(sp) ? sp : undefined,
    pct, adkim, aspf, rua, ruf, problems,
  };
}
