// Waits for test messages to arrive: IDLE on INBOX (new messages wake us at once), a cheap STATUS on
// the Junk folder between wake-ups (Sieve files spam there without touching INBOX), and plain
// polling when the server has no IDLE.
import type { ImapSession as ImapFlow } from '../../net/imap.js';
import { sleep } from './abortable.js';
import { searchToken, searchTokenIn } from './mailbox-search.js';

export interface Arrival { folder: string; junk: boolean; atMs: number; uids: number[] }

export interface WatchOptions {
  client: ImapFlow;
  token: string;
  /** The send check's token: reported when seen, not waited for beyond `sentGraceMs`. */
  sentToken?: string;
  junkFolder?: string;
  /** Epoch ms to give up at. */
  deadline: number;
  /** Arrival times are measured from here (epoch ms). */
  since: number;
  signal: AbortSignal;
  now(): number;
  /** Longest pause between two looks, ms. */
  pollMs?: number;
  /** After the test message arrived, how long to keep looking for the send check's one, ms. */
  sentGraceMs?: number;
}

export interface WatchResult {
  received?: Arrival;
  sent?: Arrival;
  /** IDLE was used (else polling). */
  idle: boolean;
  looks: number;
  existsEvents: number;
  /** When the first EXISTS notifications came, ms since `since`. */
  existsAtMs: number[];
}

export async function watchMailbox(o: WatchOptions): Promise<WatchResult> {
  const { client } = o;
  const pollMs = o.pollMs ?? 1000;
  const idle = client.capabilities.has('IDLE');
  let received: Arrival | undefined;
  let sent: Arrival | undefined;
  let looks = 0;
  let existsEvents = 0;
  const existsAtMs: number[] = [];
  let lastJunkCount = -1;
  let wake: (() => void) | undefined;
  const onExists = () => {
    existsEvents++;
    if (existsAtMs.length < 10) existsAtMs.push(o.now() - o.since);
    wake?.();
  };
  client.on('exists', onExists);
  const inboxCount = () => (client.mailbox ? client.mailbox.exists : -1);
  const at = (folder: string, junk: boolean, uids: number[]): Arrival => ({ folder, junk, atMs: o.now() - o.since, uids });
  try {
    await client.mailboxOpen('INBOX');
    for (;;) {
      looks++;
      const existsBeforeLook = existsEvents;
      if (!received) { const u = await searchToken(client, o.token); if (u.length) received = at('INBOX', false, u); }
      if (o.sentToken && !sent) { const u = await searchToken(client, o.sentToken); if (u.length) sent = at('INBOX', false, u); }
      const inboxCountAtSearch = inboxCount();
      if (o.junkFolder && (!received || (o.sentToken && !sent))) {
        const st = await client.status(o.junkFolder, { messages: true });
        const count = st ? st.messages ?? 0 : 0;
        if (count !== lastJunkCount) {
          lastJunkCount = count;
          if (!received) { const u = await searchTokenIn(client, o.junkFolder, o.token); if (u.length) received = at(o.junkFolder, true, u); }
          if (o.sentToken && !sent) { const u = await searchTokenIn(client, o.junkFolder, o.sentToken); if (u.length) sent = at(o.junkFolder, true, u); }
          await client.mailboxOpen('INBOX');
        }
      }
      const now = o.now();
      if (received && (!o.sentToken || sent || now - o.since >= received.atMs + (o.sentGraceMs ?? 2000))) break;
      if (now >= o.deadline || o.signal.aborted) break;
      // New mail announced while we were searching, or found in INBOX on re-selecting it after the
      // Junk look (a SELECT reports the count, not an EXISTS event): look again at once.
      if (existsEvents !== existsBeforeLook || inboxCount() !== inboxCountAtSearch) continue;
      const pause = Math.min(pollMs, o.deadline - now);
      const woken = new Promise<void>((r) => { wake = r; });
      if (idle) client.idle().catch(() => { /* broken by the next command or the connection's end */ });
      await Promise.race([woken, sleep(pause, o.signal)]);
      wake = undefined;
    }
  } finally {
    client.off('exists', onExists);
  }
  return { received, sent, idle, looks, existsEvents, existsAtMs };
}
