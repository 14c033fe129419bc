// Mailboxes for the scale bench (bench/scale.ts): many healthy mailboxes of one domain whose MX
// greylists every new (client, sender, recipient) for a few seconds, so that each diagnostic's
// receive check really waits on mail (4xx, retry, IDLE) instead of finishing at once. Kept out of
// scenarios.ts's MAILBOXES so that tests iterating every scenario do not run a thousand more.
// The domain itself (DNS, certificate, RDAP, provider) is the `bulk.test` entry of DOMAINS.
import type { MailboxScenario, ProviderState } from './scenarios.js';

export const BULK_DOMAIN = 'bulk.test';
export const BULK_COUNT = 1000;

/** `u0001@bulk.test` … `u1000@bulk.test` (1-based). */
export const bulkAddress = (i: number) => `u${String(i).padStart(4, '0')}@${BULK_DOMAIN}`;

const okState: ProviderState = {
  state: 'ok', spamDetected: false, expirationDate: new Date(Date.now() + 200 * 24 * 3600 * 1000).toISOString(), locked: false,
  protocols: { IMAP: true, POP: true, activeSync: true, webMail: true },
};

export const BULK_MAILBOXES: MailboxScenario[] = Array.from({ length: BULK_COUNT }, (_, k) => {
  const address = bulkAddress(k + 1);
  return { address, password: `Bulk-${address.split('@')[0]}-pw-3f9a`, greylist: true, provider: okState, note: 'scale bench: healthy, inbound mail greylisted (receive waits)' };
});

const byAddress = new Map(BULK_MAILBOXES.map((m) => [m.address, m]));

/** The bulk mailbox with this address, if any (case-insensitive). */
export const findBulkMailbox = (address: string): MailboxScenario | undefined => byAddress.get(address.trim().toLowerCase());
