// SMTP TLS Reporting (RFC 8460): where sending MTAs report the TLS failures they met on the way
// to the domain's MX (the only way a domain learns that MTA-STS turned senders away). Pure.

export interface TlsRptRecord {
  /** Every `rua` URI, in order (each `rua=` may hold a comma-separated list). */
  rua: string[];
}

export type TlsRptResult =
  | { found: 'none' }
  | { found: 'one'; record: string; parsed?: TlsRptRecord; problems: string[] }
  | { found: 'several'; records: string[] };

/**
 * RFC 8460 §3: TXT records at `_smtp._tls.<domain>` that begin with `v=TLSRPTv1` count; more than
 * one means senders assume no reporting policy.
 */
export function pickTlsRpt(txt: string[]): TlsRptResult {
  const own = txt.filter((t) => /^v=TLSRPTv1\s*(;|$)/.test(t));
  if (!own.length) return { found: 'none' };
  if (own.length > 1) return { found: 'several', records: own };
  const r = parseTlsRpt(own[0]);
  return { found: 'one', record: own[0], ...r };
}

/**
 * RFC 8460 §3: `v=TLSRPTv1; rua=<uri>[,<uri>…]` with optional extension fields; at least one
 * `rua`, each a `mailto:` or `https:` URI (the only schemes senders use to deliver reports).
 */
export function parseTlsRpt(text: string): { parsed?: TlsRptRecord; problems: string[] } {
  const problems: string[] = [];
  const rua: string[] = [];
  for (const field of text.split(';').map((f) => f.trim()).filter(Boolean).slice(1)) {
    const eq = field.indexOf('=');
    if (eq <= 0) { problems.push(`malformed field "${field}"`); continue; }
    const key = field.slice(0, eq).trim();
    const value = field.slice(eq + 1).trim();
    if (key !== 'rua') continue; // extensions are ignored (RFC 8460 §3)
    for (const uri of value.split(',').map((u) => u.trim()).filter(Boolean)) {
      const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
      if (scheme === 'mailto' && /^mailto:[^@\s]+@[^@\s]+\.[^@\s]+$/i.test(uri)) rua.push(uri);
      else if (scheme === 'https' && URL.canParse(uri)) rua.push(uri);
      else problems.push(`rua "${uri}" is not a mailto: address or an https: URL`);
    }
  }
  if (!rua.length && !problems.some((p) => p.startsWith('rua'))) problems.push('no rua= field: reports have nowhere to go');
  return { ...(rua.length && !problems.length ? { parsed: { rua } } : {}), problems };
}
