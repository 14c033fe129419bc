// MTA-STS (RFC 8461) as a sending MTA reads it: the `_mta-sts` TXT record, the policy file and
// which MX hosts the policy lets a sender use. Pure: the check does the DNS and HTTPS.

/** RFC 8461 §3.2: a policy may be cached at most a year. */
export const STS_MAX_AGE_LIMIT = 31_557_600;
/** RFC 8461 §3.3: senders may refuse policies larger than this (64 KiB, the RFC's suggestion). */
export const STS_POLICY_MAX_BYTES = 64 * 1024;

export interface StsRecord { id: string; extensions: Record<string, string> }

export type StsRecordResult =
  | { found: 'none' }
  | { found: 'one'; record: string; parsed?: StsRecord; problems: string[] }
  | { found: 'several'; records: string[] };

/**
 * Of the TXT records at `_mta-sts.<domain>`, those that begin with `v=STSv1;` count; more or
 * fewer than one means "no policy" to a sender (RFC 8461 §3.1).
 */
export function pickStsRecord(txt: string[]): StsRecordResult {
  const sts = txt.filter((t) => /^v=STSv1\s*;/.test(t) || t === 'v=STSv1');
  if (!sts.length) return { found: 'none' };
  if (sts.length > 1) return { found: 'several', records: sts };
  const { parsed, problems } = parseStsRecord(sts[0]);
  return { found: 'one', record: sts[0], ...(parsed ? { parsed } : {}), problems };
}

/**
 * RFC 8461 §3.1: `v=STSv1; id=<1–32 alphanumerics>` plus extension fields, separated by `;` with
 * optional whitespace. `v` must come first (checked by the caller); `id` is required.
 */
export function parseStsRecord(text: string): { parsed?: StsRecord; problems: string[] } {
  const problems: string[] = [];
  const fields = text.split(';').map((f) => f.trim()).filter(Boolean).slice(1);
  let id: string | undefined;
  const extensions: Record<string, string> = {};
  for (const f of fields) {
    const eq = f.indexOf('=');
    const key = eq > 0 ? f.slice(0, eq) : f;
    const value = eq > 0 ? f.slice(eq + 1) : '';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(key) || eq <= 0) { problems.push(`malformed field "${f}"`); continue; }
    if (key === 'id') {
      if (id !== undefined) continue; // only the first counts (RFC 8461 §3.2, last paragraph)
      if (!/^[A-Za-z0-9]{1,32}$/.test(value)) problems.push(`id "${value}" is not 1 to 32 letters and digits`);
      id = value;
    } else if (!/^[\x21-\x3a\x3c\x3e-\x7e]+$/.test(value)) {
      problems.push(`field ${key} has an invalid value`);
    } else extensions[key] = value;
  }
  if (id === undefined) problems.push('no id= field');
  return { ...(id !== undefined && problems.length === 0 ? { parsed: { id, extensions } } : {}), problems };
}

export type StsMode = 'enforce' | 'testing' | 'none';

export interface StsPolicy {
  mode: StsMode;
  mx: string[];
  maxAge: number;
  extensions: Record<string, string>;
}

/**
 * RFC 8461 §3.2: `key: value` lines (LF or CRLF), `version: STSv1` first, `mode` one of
 * enforce/testing/none, one or more `mx` unless the mode is none, `max_age` 0–31557600 seconds.
 * For every field but `mx` only the first occurrence counts.
 */
export function parseStsPolicy(body: string): { policy?: StsPolicy; problems: string[] } {
  const problems: string[] = [];
  const lines = body.split(/\r?\n/).map((l) => l.replace(/[ \t]+$/, '')).filter((l) => l.length > 0);
  const seen = new Set<string>();
  let version: string | undefined;
  let mode: string | undefined;
  let maxAge: number | undefined;
  const mx: string[] = [];
  const extensions: Record<string, string> = {};
  lines.forEach((line, i) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31}):[ \t]*(.*)$/.exec(line);
    if (!m) { problems.push(`line ${i + 1} is not "key: value": "${line.slice(0, 80)}"`); return; }
    const [, key, value] = m;
    const dup = seen.has(key);
    seen.add(key);
    if (key === 'version') {
      if (i !== 0) problems.push('version is not the first line');
      if (!dup) version = value;
    } else if (key === 'mode') {
      if (!dup) mode = value;
    } else if (key === 'max_age') {
      if (!dup) {
        if (!/^\d{1,10}$/.test(value)) problems.push(`max_age "${value}" is not a number of seconds`);
        else maxAge = Number(value);
      }
    } else if (key === 'mx') {
      if (!isMxPattern(value)) problems.push(`mx "${value}" is not a host name or *.domain pattern`);
      else mx.push(value.toLowerCase().replace(/\.$/, ''));
    } else if (!dup) extensions[key] = value;
  });
  if (version === undefined) problems.push('no version field');
  else if (version !== 'STSv1') problems.push(`version "${version}" is not STSv1`);
  if (mode === undefined) problems.push('no mode field');
  else if (!['enforce', 'testing', 'none'].includes(mode)) problems.push(`mode "${mode}" is not enforce, testing or none`);
  if (maxAge === undefined && !problems.some((p) => p.startsWith('max_age'))) problems.push('no max_age field');
  if (maxAge !== undefined && maxAge > STS_MAX_AGE_LIMIT) problems.push(`max_age ${maxAge} is beyond the 31557600 s (one year) limit`);
  if (!mx.length && mode !== 'none') problems.push('no mx field (required unless mode is none)');
  if (problems.length || mode === undefined || maxAge === undefined) return { problems };
  return { policy: { mode: mode as StsMode, mx, maxAge, extensions }, problems };
}

/** An `mx` value: a host name, or `*.` and a domain (RFC 8461 §3.2, A-labels only). */
function isMxPattern(v: string): boolean {
  const host = v.startsWith('*.') ? v.slice(2) : v;
  return host.length <= 253 && /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/.test(host) && host.includes('.');
}

/**
 * RFC 8461 §4.1: an MX host matches a pattern exactly, or `*.example.com` matches one extra
 * leftmost label (`mx1.example.com`, not `example.com` nor `a.b.example.com`).
 */
export function mxMatches(host: string, patterns: string[]): string | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.find((p) => {
    if (!p.startsWith('*.')) return p === h;
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  });
}
