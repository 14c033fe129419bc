// The registrable domain of a name (eTLD+1 by the Public Suffix List, through tldts): the boundary
// of who owns a name. Credentials may follow a mailbox only within its registrable domain.
import { domainToASCII } from 'node:url';
import { parse } from 'tldts';

export interface RegistrableDomainOptions {
  /**
   * ICANN section only (what a registry, e.g. RDAP, holds). Default false: the PRIVATE section
   * counts too, so `a.duckdns.org` and `b.duckdns.org` are different owners — the safe reading
   * for deciding where a password may go.
   */
  icannOnly?: boolean;
}

/**
 * `mail.example.co.uk` → `example.co.uk`, in ASCII (`müller.de` → `xn--mller-kva.de`); undefined
 * for an IP address, a bare public suffix or a single label. A TLD the list does not know (e.g.
 * `.test`) is a public suffix by the list's default rule `*`, so `eu.group.test` → `group.test`.
 */
export function registrableDomain(name: string, opts: RegistrableDomainOptions = {}): string | undefined {
  // One spelling for names and URL hosts alike: URLs give punycode, addresses may be Unicode.
  const host = domainToASCII(name.trim().replace(/^\[|\]$/g, '').replace(/\.$/, ''));
  if (!host) return undefined;
  const p = parse(host, { allowPrivateDomains: !opts.icannOnly });
  if (p.isIp) return undefined;
  return p.domain ?? undefined;
}
