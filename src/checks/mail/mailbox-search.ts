// Finding and deleting the diagnostic's own messages in a mailbox, by their token header only,
// so that nothing else in the mailbox is ever touched.
import type { ImapSession as ImapFlow } from '../../net/imap.js';
import { TOKEN_HEADER } from './test-message.js';

/** Path of the special-use \Junk folder, if the server declares one. */
export async function findJunkFolder(client: ImapFlow): Promise<string | undefined> {
  const list = await client.list();
  return list.find((m) => m.specialUse === '\\Junk')?.path;
}

/** UIDs carrying `token` in the currently selected mailbox. */
export async function searchToken(client: ImapFlow, token: string): Promise<number[]> {
  const uids = await client.search({ header: { [TOKEN_HEADER]: token } }, { uid: true });
  return Array.isArray(uids) ? uids : [];
}

/** UIDs carrying `token` in `folder` (selects it; the caller re-selects what it needs). */
export async function searchTokenIn(client: ImapFlow, folder: string, token: string): Promise<number[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    return await searchToken(client, token);
  } finally {
    lock.release();
  }
}

/**
 * The named header fields of messages `uids` in `folder`, raw (BODY.PEEK[HEADER.FIELDS]: nothing
 * is marked read), at most `maxBytes` each. Read before the cleanup deletes the test messages.
 */
export async function readHeaderFields(client: ImapFlow, folder: string, uids: number[], fields: readonly string[], maxBytes = 16 * 1024): Promise<string[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    const out: string[] = [];
    for await (const msg of client.fetch(uids.join(','), { headers: [...fields] }, { uid: true })) {
      out.push((msg.headers ?? Buffer.alloc(0)).subarray(0, maxBytes).toString('latin1'));
    }
    return out;
  } finally {
    lock.release();
  }
}

export interface CleanupEntry { folder: string; token: string; deleted: number }

/** Deletes (UID EXPUNGE where the server has UIDPLUS) every message carrying one of `tokens` in `folders`. */
export async function deleteTokens(client: ImapFlow, folders: string[], tokens: string[]): Promise<{ deleted: CleanupEntry[]; errors: string[] }> {
  const deleted: CleanupEntry[] = [];
  const errors: string[] = [];
  for (const folder of folders) {
    let lock;
    try {
      lock = await client.getMailboxLock(folder);
    } catch (err) {
      errors.push(`${folder}: ${(err as Error).message}`);
      continue;
    }
    try {
      for (const token of tokens) {
        const uids = await searchToken(client, token);
        if (!uids.length) continue;
        await client.messageDelete(uids, { uid: true });
        deleted.push({ folder, token, deleted: uids.length });
      }
    } catch (err) {
      errors.push(`${folder}: ${(err as Error).message}`);
    } finally {
      lock.release();
    }
  }
  return { deleted, errors };
}
