// What a provider's authentication policy and authorised-IP list mean for one of our logins, as
// pure functions (no I/O, no node:net: checks use them too).
//
// OVHcloud's guides do not describe either object (searched help.ovhcloud.com / docs.ovh.com for
// "Exchange restrict access by IP", "authentication policy legacy": only the control-panel IP
// restriction and the lockout policy come up). The semantics below come from the published schema
// (shared/reference/ovh-exchange-api.md §5a, §5b: can-er/ovh-api-v1-docs specs/email_exchange.json)
// and from Exchange Server's own authentication policies, whose flags OVHcloud's copy
// (https://learn.microsoft.com/powershell/module/exchange/New-AuthenticationPolicy: in Exchange
// 2019 `-BlockLegacyAuthImap` etc. block Basic ("legacy") authentication for that protocol; Exchange
// Server has no SMTP flag, and OVHcloud's object has none either).
//
// Authorised IPs (exchangeServiceAuthorizedIp):
// - an entry is in force when its status is `ok` or `deleting` (the deletion task has not run yet);
//   `creating` is not in force yet (its task has not run);
// - a protocol is restricted when at least one entry in force has that protocol's flag true; it
//   may then be used only from the blocks of those entries;
// - port → flag: 443 `HTTPS` (OWA, EWS, Autodiscover, ActiveSync), 993 `IMAPS`, 143 `IMAP`,
//   25 `SMTP`, submission (587, and 465) `SMTPS` (the schema describes SMTPS as port 587).
// A check's endpoint is classified by scheme and port: https → HTTPS; imaps on 143 → IMAP, else
// IMAPS; smtp on 25 → SMTP, else (submission on 587 or 465, or a platform's own port) SMTPS.

/** The protocol flags of an OVHcloud authorised-IP entry. */
export const IP_FLAGS = ['HTTPS', 'IMAP', 'IMAPS', 'POP', 'POPS', 'SMTP', 'SMTPS'] as const;
export type IpFlag = (typeof IP_FLAGS)[number];

/** Statuses (authorizedIpStatusEnum) of an entry that the server applies. */
export const IN_FORCE_STATUSES: ReadonlySet<string> = new Set(['ok', 'deleting']);

/** One authorised-IP entry as the provider lists it. */
export interface AuthorizedIpEntry { ip: string; status: string; flags: IpFlag[] }

/** The authorised IPs of the service, per protocol flag. */
export interface IpRestrictions {
  /** For each restricted flag, the blocks that may use it (entries in force only). A flag absent here is unrestricted. */
  restricted: Partial<Record<IpFlag, string[]>>;
  /** Every entry read, with its status (evidence). */
  entries: AuthorizedIpEntry[];
}

/** Builds the per-flag restrictions from the entries, keeping only those in force. */
export function ipRestrictionsOf(entries: AuthorizedIpEntry[]): IpRestrictions {
  const restricted: Partial<Record<IpFlag, string[]>> = {};
  for (const e of entries) {
    if (!IN_FORCE_STATUSES.has(e.status)) continue;
    for (const f of e.flags) (restricted[f] ??= []).push(e.ip);
  }
  return { restricted, entries };
}

/**
 * Authentication-policy flags → our protocol names (what a check logs in with). OVHcloud's
 * `blockLegacyAuth*` flags; `blockModernAuth*` do not concern us (we authenticate with Basic).
 */
export const LEGACY_FLAG_PROTOCOLS = {
  blockLegacyAuthImap: 'imap',
  blockLegacyAuthWebServices: 'ews',
  blockLegacyAuthAutodiscover: 'autodiscover',
  blockLegacyAuthPop: 'pop',
  blockLegacyAuthActiveSync: 'activesync',
  blockLegacyAuthMapi: 'mapi',
  blockLegacyAuthOfflineAddressBook: 'oab',
} as const;
export type LegacyFlag = keyof typeof LEGACY_FLAG_PROTOCOLS;

/** The provider's authentication policy that applies to the account. */
export interface AuthPolicy {
  /** The policy's id at the provider. */
  id?: string;
  /** Whether it is the account's own policy or the service's default for accounts without one. */
  source?: 'account' | 'service-default';
  /** Our protocol names whose legacy (Basic) authentication the policy blocks. */
  legacyAuthBlocked: string[];
  /** The policy's flags that are true, as the provider names them (evidence). */
  flags: string[];
}

/** The policy's true flags → the protocols blocked for legacy authentication. */
export function legacyBlockedOf(policy: Record<string, unknown>): { legacyAuthBlocked: string[]; flags: string[] } {
  const flags = Object.keys(policy).filter((k) => /^block(Legacy|Modern)Auth/.test(k) && policy[k] === true).sort();
  const legacyAuthBlocked = (Object.keys(LEGACY_FLAG_PROTOCOLS) as LegacyFlag[]).filter((f) => policy[f] === true).map((f) => LEGACY_FLAG_PROTOCOLS[f]);
  return { legacyAuthBlocked, flags };
}

/** The policy flag that blocks `protocol` (our name), for messages. */
export const legacyFlagOf = (protocol: string): LegacyFlag | undefined =>
  (Object.keys(LEGACY_FLAG_PROTOCOLS) as LegacyFlag[]).find((f) => LEGACY_FLAG_PROTOCOLS[f] === protocol);

/** The authorised-IP flag that governs an endpoint URL (https:, imaps:, smtp:, smtps:), by scheme and port. */
export function ipFlagOf(target: string): IpFlag | undefined {
  let u: URL;
  try { u = new URL(target); } catch { return undefined; }
  const port = u.port ? Number(u.port) : undefined;
  switch (u.protocol) {
    case 'https:': return 'HTTPS';
    case 'imaps:': return port === 143 ? 'IMAP' : 'IMAPS';
    case 'imap:': return port === 993 ? 'IMAPS' : 'IMAP';
    case 'smtp:': return port === 25 ? 'SMTP' : 'SMTPS';
    case 'smtps:': return 'SMTPS';
    default: return undefined;
  }
}

// ── addresses and blocks ─────────────────────────────────────────────────────────────────────

/** An IPv4 address as a 32-bit number, or undefined. IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as IPv4. */
export function ipv4ToNumber(ip: string): number | undefined {
  const s = ip.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** An IPv6 address as 8 16-bit groups, or undefined (a trailing dotted quad is accepted). */
export function ipv6Groups(ip: string): number[] | undefined {
  let s = ip.trim().toLowerCase();
  if (!s.includes(':')) return undefined;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    const n = ipv4ToNumber(quad[1]);
    if (n === undefined) return undefined;
    s = `${s.slice(0, -quad[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || (halves.length === 2 && fill < 1)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

/** Is `ip` a literal IPv4 or IPv6 address? */
export const isIpAddress = (ip: string): boolean => ipv4ToNumber(ip) !== undefined || ipv6Groups(ip) !== undefined;

/**
 * Is the address inside the CIDR block (IPv4 `a.b.c.d/n`, or IPv6; a bare address is a /32 or
 * /128)? An IPv4-mapped IPv6 address matches IPv4 blocks; otherwise families never mix.
 */
export function ipInBlock(ip: string, block: string): boolean {
  const [net, lenText, extra] = block.trim().split('/');
  if (extra !== undefined) return false;
  const a4 = ipv4ToNumber(ip);
  const n4 = ipv4ToNumber(net);
  if (n4 !== undefined && !net.includes(':')) {
    if (a4 === undefined) return false;
    const len = lenText === undefined ? 32 : Number(lenText);
    if (!/^\d{1,2}$/.test(lenText ?? '32') || len > 32) return false;
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    return ((a4 & mask) >>> 0) === ((n4 & mask) >>> 0);
  }
  const a6 = ipv6Groups(ip);
  const n6 = ipv6Groups(net);
  if (!a6 || !n6) return false;
  const len = lenText === undefined ? 128 : Number(lenText);
  if (!/^\d{1,3}$/.test(lenText ?? '128') || len > 128) return false;
  for (let bit = 0; bit < len; bit++) {
    const g = bit >> 4;
    const m = 0x8000 >> (bit & 15);
    if ((a6[g] & m) !== (n6[g] & m)) return false;
  }
  return true;
}

/** The verdict on our egress addresses for one restricted flag. */
export interface EgressVerdict {
  /** Addresses of ours inside an allowed block (empty: none may use the protocol). */
  allowed: string[];
}

export function egressAllowed(egress: readonly string[], blocks: readonly string[]): EgressVerdict {
  return { allowed: egress.filter((ip) => blocks.some((b) => ipInBlock(ip, b))) };
}
