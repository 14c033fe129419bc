// Which addresses the service may connect to on a customer's behalf (webhooks, and the checks'
// own connections to hosts named by a customer's DNS): public unicast only, unless allowlisted.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface AddressPolicy {
  /** Host names (exact or `*.suffix`), IPs and CIDRs that may be reached although not public. */
  allowlist: string[];
}

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254']);

export type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Parses an IP in any form a URL or a resolver may produce: dotted, bracketed IPv6, and the
 * legacy decimal/octal/hex IPv4 forms (`2130706433`, `0177.0.0.1`, `0x7f.1`). IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`) is unwrapped to its IPv4 address. Returns undefined for a host name.
 */
export function parseIp(host: string): Addr | undefined {
  const h = host.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  let addr: Addr;
  if (isIP(h)) addr = ipaddr.parse(h);
  else if (/^[0-9a-fx.]+$/i.test(h) && ipaddr.IPv4.isValid(h)) addr = ipaddr.IPv4.parse(h);
  else return undefined;
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

/** Why an address may not be reached, or undefined when it is a public unicast address. */
export function forbiddenAddressReason(address: string | Addr): string | undefined {
  const addr = typeof address === 'string' ? parseIp(address) : address;
  if (!addr) return `${String(address)} is not an IP address`;
  const text = addr.toString();
  if (METADATA.has(text)) return `${text} is a cloud metadata address`;
  const range = addr.range();
  // Only ordinary global unicast is public; every special range (loopback, private, ULA,
  // link-local, CGNAT, multicast, unspecified, NAT64/6to4/Teredo wrappers, documentation…) is refused.
  if (range === 'unicast') {
    if (addr.kind() === 'ipv6' && ['2002::/16'].some((c) => addr.match(ipaddr.parseCIDR(c) as [Addr, number]))) {
      return `${text} is a 6to4 address (embeds an IPv4 address)`;
    }
    return undefined;
  }
  return `${text} is a ${range} address`;
}

export function matchesAllowlist(policy: AddressPolicy, host: string | undefined, addr: Addr | undefined): boolean {
  for (const entry of policy.allowlist) {
    const e = entry.trim().toLowerCase();
    if (!e) continue;
    if (addr && e.includes('/')) {
      try {
        const [net, bits] = ipaddr.parseCIDR(e);
        const a = net.kind() === addr.kind() ? addr : addr.kind() === 'ipv4' ? (addr as ipaddr.IPv4).toIPv4MappedAddress() : undefined;
        if (a && a.match([net, bits] as [Addr, number])) return true;
      } catch { /* not a CIDR: a malformed entry never matches */ }
      continue;
    }
    const ip = parseIp(e);
    if (ip) {
      if (addr && ip.kind() === addr.kind() && ip.toNormalizedString() === addr.toNormalizedString()) return true;
      continue;
    }
    if (host) {
      const h = host.toLowerCase().replace(/\.$/, '');
      if (e.startsWith('*.') ? h.endsWith(e.slice(1)) : h === e) return true;
    }
  }
  return false;
}

/** Checks one address about to be connected to (host = the name it came from, if any). */
export function checkAddress(policy: AddressPolicy, address: string, host?: string): AddressVerdict {
  const addr = parseIp(address);
  if (!addr) return { ok: false, reason: `${address} is not an IP address` };
  if (matchesAllowlist(policy, host, addr)) return { ok: true };
  const why = forbiddenAddressReason(addr);
  return why ? { ok: false, reason: host && host !== address ? `${host} resolves to ${why}` : why } : { ok: true };
}


/** IP syntax checks for parsers (SPF's ip4:/ip6:), so that no check needs `node:net` itself. */
export { isIPv4, isIPv6 } from 'node:net';
