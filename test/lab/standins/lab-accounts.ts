// What the provider stand-ins know about a mailbox and its domain, derived once from the
// scenarios so that the OVHcloud and generic HTTP stand-ins never disagree.
import { DOMAINS, LAB_MX, LAB_SERVER, MAILBOXES, type MailboxScenario, type ProviderState } from '../scenarios.js';

export interface LabAccount {
  id: number;
  mailbox: MailboxScenario;
  provider: ProviderState;
  local: string;
  domain: string;
  expired: boolean;
  suspended: boolean;
  locked: boolean;
  /** Lower-case protocol names switched off (imap, pop, activesync, owa). */
  disabledProtocols: string[];
}

export function findMailbox(address: string): MailboxScenario | undefined {
  const a = address.trim().toLowerCase();
  return MAILBOXES.find((m) => m.address.toLowerCase() === a);
}

/** The account as the provider knows it, or undefined when the provider has no such account. */
export function labAccount(address: string, nowMs: number): LabAccount | undefined {
  const mailbox = findMailbox(address);
  if (!mailbox?.provider) return undefined;
  const p = mailbox.provider;
  const [local, domain] = mailbox.address.split('@');
  const protocols = p.protocols ?? { IMAP: true, POP: true, activeSync: true, webDAV: true };
  const disabled: string[] = [];
  if (!protocols.IMAP) disabled.push('imap');
  if (!protocols.POP) disabled.push('pop');
  if (!protocols.activeSync) disabled.push('activesync');
  if (!protocols.webDAV) disabled.push('owa');
  return {
    id: MAILBOXES.indexOf(mailbox) + 1,
    mailbox,
    provider: p,
    local,
    domain,
    expired: p.expirationDate !== undefined && Date.parse(p.expirationDate) < nowMs,
    suspended: p.state === 'suspended',
    locked: p.locked === true,
    disabledProtocols: disabled,
  };
}

export const labDomainNames = (): string[] => Object.keys(DOMAINS);

/** The domain's MX records are exactly the platform's MX hosts. */
export function mxIsValid(domain: string): boolean {
  const d = DOMAINS[domain];
  if (!d || d.mx.length === 0) return false;
  const hosts = d.mx.map(([, h]) => h.toLowerCase());
  return hosts.every((h) => LAB_MX.includes(h)) && LAB_MX.every((h) => hosts.includes(h));
}

/** `_autodiscover._tcp` is 0 0 443 <server>. */
export function srvIsValid(domain: string): boolean {
  const srv = DOMAINS[domain]?.srv;
  return srv !== undefined && srv[0] === 0 && srv[1] === 0 && srv[2] === 443 && srv[3] === LAB_SERVER;
}

/** Inbound mail reaches the mailbox (valid MX and not silently discarded). */
export function canReceive(domain: string): boolean {
  return mxIsValid(domain) && DOMAINS[domain]?.discardInbound !== true;
}
