// How a receiving platform judged a message, read from the headers it added: Authentication-Results
// (RFC 8601: SPF, DKIM, DMARC results), the DKIM-Signature the message carried (RFC 6376 §3.5), and
// spam verdict headers of common filters. Pure: the receive check fetches the headers.

export interface AuthResult { method: string; result: string; reason?: string; props: Record<string, string> }
export interface AuthResults { authservId: string; results: AuthResult[] }

/** Header fields read back from the test messages (also the list the IMAP FETCH asks for). */
export const JUDGED_HEADERS = [
  'Authentication-Results', 'ARC-Authentication-Results', 'Received-SPF', 'DKIM-Signature',
  'X-Spam-Flag', 'X-Spam-Status', 'X-Spam-Score', 'X-Spam-Level',
  'X-MS-Exchange-Organization-SCL', 'X-Forefront-Antispam-Report', 'X-Microsoft-Antispam',
  'X-VR-SPAMSTATE', 'X-VR-SPAMSCORE', 'X-VR-SPAMCAUSE',
] as const;

/** Unfolded header fields (name lower case, value trimmed), in order. */
export function parseHeaderBlock(block: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const line of block.replace(/\r\n/g, '\n').split('\n')) {
    if (/^[ \t]/.test(line) && out.length) { out[out.length - 1].value += ` ${line.trim()}`; continue; }
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (m) out.push({ name: m[1].toLowerCase(), value: m[2].trim() });
  }
  return out;
}

/** RFC 5322 comments `( … )`, nested ones included, outside quoted strings. */
function stripComments(v: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\' && i + 1 < v.length) { if (!depth) out += c + v[i + 1]; i++; continue; }
    if (!depth && c === '"') quoted = !quoted;
    if (!quoted && c === '(') { depth++; continue; }
    if (!quoted && c === ')' && depth) { depth--; continue; }
    if (!depth) out += c;
  }
  return out;
}

/** Splits on `;` outside quoted strings. */
function splitSemicolons(v: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of v) {
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim());
}

/**
 * RFC 8601 §2.2: `authserv-id [version]; method[/version]=result [reason=…] [ptype.property=value …]; …`,
 * or `authserv-id; none`. Methods and results are compared case-insensitively.
 */
export function parseAuthResults(value: string): AuthResults | undefined {
  const [head, ...specs] = splitSemicolons(stripComments(value));
  const authservId = head.split(/\s+/)[0]?.toLowerCase();
  if (!authservId) return undefined;
  const results: AuthResult[] = [];
  for (const spec of specs) {
    const m = /^([A-Za-z0-9_.-]+)(?:\/\d+)?\s*=\s*([A-Za-z0-9_-]+)(.*)$/s.exec(spec);
    if (!m) continue; // "none", or something we cannot read
    const r: AuthResult = { method: m[1].toLowerCase(), result: m[2].toLowerCase(), props: {} };
    for (const p of m[3].matchAll(/([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?)\s*=\s*("(?:[^"\\]|\\.)*"|\S+)/g)) {
      const key = p[1].toLowerCase();
      const val = p[2].replace(/^"(.*)"$/s, '$1');
      if (key === 'reason') r.reason = val; else r.props[key] = val;
    }
    results.push(r);
  }
  return { authservId, results };
}

/** The d= and s= of each DKIM-Signature (RFC 6376 §3.5). */
export function dkimSignatures(values: string[]): Array<{ domain?: string; selector?: string }> {
  return values.map((v) => {
    const tag = (t: string) => new RegExp(`(?:^|;)\\s*${t}\\s*=\\s*([^;\\s]+)`).exec(v)?.[1]?.toLowerCase();
    return { domain: tag('d'), selector: tag('s') };
  });
}

/** A spam verdict in the headers a filter added, or undefined when none says spam. */
export function spamVerdict(fields: Array<{ name: string; value: string }>): string | undefined {
  for (const { name, value } of fields) {
    if (name === 'x-spam-flag' && /^yes\b/i.test(value)) return `X-Spam-Flag: ${value}`;
    if (name === 'x-spam-status' && /^yes\b/i.test(value)) return `X-Spam-Status: ${value.slice(0, 120)}`;
    if (name === 'x-vr-spamstate' && /spam/i.test(value) && !/^ok/i.test(value)) return `X-VR-SPAMSTATE: ${value}`;
    // Exchange's spam confidence level: 5 and above goes to Junk by default.
    if (name === 'x-ms-exchange-organization-scl' && Number(value) >= 5) return `X-MS-Exchange-Organization-SCL: ${value}`;
  }
  return undefined;
}
