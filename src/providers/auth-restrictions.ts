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
import ipaddr from 'ipaddr.js';

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

// ── addresses and blocks (ipaddr.js, as net/address-policy.ts) ───────────────────────────────

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * A literal IPv4 or IPv6 address in its standard spelling (dotted quad without leading zeros, or
 * RFC 4291 text); IPv4-mapped IPv6 (::ffff:a.b.c.d) comes back as IPv4. Anything else: undefined.
 */
function parseAddress(text: string): Addr | undefined {
  const s = text.trim();
  let a: Addr;
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) a = ipaddr.IPv4.parse(s);
  else if (s.includes(':') && ipaddr.IPv6.isValid(s)) a = ipaddr.IPv6.parse(s);
  else return undefined;
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/** Is `ip` a literal IPv4 or IPv6 address? */
export const isIpAddress = (ip: string): boolean => parseAddress(ip) !== undefined;

/**
 * Is the address inside the CIDR block (IPv4 `a.b.c.d/n`, or IPv6; a bare address is a /32 or
 * /128)? An IPv4-mapped IPv6 address matches IPv4 blocks; otherwise families never mix.
 */
export function ipInBlock(ip: string, block: string): boolean {
  const addr = parseAddress(ip);
  const [netText, lenText, extra] = block.trim().split('/');
  const net = parseAddress(netText ?? '');
  if (!addr || !net || extra !== undefined || addr.kind() !== net.kind()) return false;
  const max = net.kind() === 'ipv4' ? 32 : 128;
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return false;
  const len = lenText === undefined ? max : Number(lenText);
  if (len > max) return false;
  return addr.match(net, len);
}

/** The verdict on our egress addresses for one restricted flag. */
export interface EgressVerdict {
  /** Addresses of ours inside an allowed block (empty: none may use the protocol). */
  allowed: string[];
}

export function egressAllowed(egress: readonly string[], blocks: readonly string[]): EgressVerdict {
  return { allowed: egress.filter((ip) => blocks.some((b) => ipInBlock(ip, b))) };
}
