// The one gate every outbound connection of the checks passes, right before connecting: the
// address about to be dialled (from our resolver or an IP literal, whatever form it was written
// in) is held against the address policy. Names are also filtered when resolved (net/dns.ts), so
// a forbidden answer is never even offered to a connector.
import { checkAddress, parseIp, type AddressPolicy } from './address-policy.js';

/** Raised instead of connecting; `code` is stable and read by the error classifier. */
export class EgressForbiddenError extends Error {
  override name = 'EgressForbiddenError';
  readonly code = 'EGRESS_FORBIDDEN';
  constructor(readonly reason: string, readonly address: string, readonly host?: string) {
    super(`connection to ${host && host !== address ? `${host} (${address})` : address} refused by the egress policy: ${reason}`);
  }
}

export interface EgressGuard {
  readonly policy: AddressPolicy;
  /** Why `address` (reached as `host`) may not be dialled, or undefined when it may. */
  refusal(address: string, host?: string): string | undefined;
  /** Throws EgressForbiddenError unless `address` may be dialled. Returns it normalised (dotted IPv4 / IPv6). */
  assert(address: string, host?: string): string;
}

export function createEgressGuard(policy: AddressPolicy): EgressGuard {
  const refusal = (address: string, host?: string) => {
    const v = checkAddress(policy, address, host);
    return v.ok ? undefined : v.reason;
  };
  return {
    policy,
    refusal,
    assert(address, host) {
      const ip = parseIp(address);
      if (!ip) throw new EgressForbiddenError(`${address} is not an IP address (names go through the resolver)`, address, host);
      const normalised = ip.toString();
      const why = refusal(normalised, host);
      if (why) throw new EgressForbiddenError(why, normalised, host);
      return normalised;
    },
  };
}

/** An IP literal in any form a user, a DNS answer or a URL may give (dotted, hex, decimal, bracketed v6). */
export function ipLiteral(host: string): string | undefined {
  return parseIp(host)?.toString();
}
