// When the receive check will not run (not selected), the send check's own test message would stay
// in the mailbox: wait briefly for it and delete it, touching nothing else.
import type { CheckContext } from '../../diagnostics/types.js';
import { withProviderServer } from '../../platforms/profile.js';
import { closeImap } from '../../net/imap.js';
import { deleteTokens, findJunkFolder } from './mailbox-search.js';
import { watchMailbox } from './mailbox-watch.js';

export async function cleanupSentMessage(ctx: CheckContext, password: string, token: string, maxWaitMs = 10_000): Promise<Record<string, unknown>> {
  const { host, port } = withProviderServer(ctx.platform, ctx.facts.server).imap;
  const budget = Math.min(maxWaitMs, ctx.deadline - ctx.deps.now() - 1500);
  if (budget < 500) return { skipped: 'no time left before the check deadline' };
  const imap = await ctx.deps.net.connectImap({ host, port, user: ctx.account, password, signal: ctx.signal, timeoutMs: budget });
  if (!imap.ok) return { skipped: `cannot open the mailbox: ${imap.message}` };
  const client = imap.client;
  try {
    const junkFolder = await findJunkFolder(client);
    const now = ctx.deps.now();
    const seen = await watchMailbox({ client, token, junkFolder, signal: ctx.signal, now: ctx.deps.now, since: now, deadline: now + budget });
    if (!seen.received) return { skipped: `the test message did not arrive within ${budget} ms; it may stay in the mailbox` };
    return { arrivedAfterMs: seen.received.atMs, ...(await deleteTokens(client, ['INBOX', ...(junkFolder ? [junkFolder] : [])], [token])) };
  } catch (err) {
    return { skipped: (err as Error).message };
  } finally {
    await closeImap(client);
  }
}
