// Removes every key the bench wrote (records, events, indexes, BullMQ queues) under its prefix.
import type { Cluster, Redis } from 'ioredis';

/** SCAN runs per node: on a Cluster every master holds part of the keys. */
const nodesOf = (redis: Redis | Cluster): Redis[] => ('nodes' in redis && typeof redis.nodes === 'function' ? (redis as Cluster).nodes('master') : [redis as Redis]);

async function scanAll(node: Redis, pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await each(keys);
  } while (cursor !== '0');
}

/**
 * Deletes `{prefix}:*` on every node; returns how many keys were deleted and how many are left
 * (should be 0). On a Cluster keys are unlinked one by one (a multi-key UNLINK must stay in one slot).
 */
export async function deletePrefix(redis: Redis | Cluster, prefix: string): Promise<{ deleted: number; left: number }> {
  let deleted = 0;
  let left = 0;
  const nodes = nodesOf(redis);
  for (const node of nodes) {
    await scanAll(node, `${prefix}:*`, async (keys) => {
      if (nodes.length === 1) deleted += await node.unlink(...keys);
      else for (const k of keys) deleted += await node.unlink(k);
    });
  }
  for (const node of nodesOf(redis)) await scanAll(node, `${prefix}:*`, async (keys) => { left += keys.length; });
  return { deleted, left };
}
