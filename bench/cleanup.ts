// Removes every key the bench wrote (records, events, indexes, BullMQ queues) under its prefix.
import type { Redis } from 'ioredis';

/** Deletes `{prefix}:*`; returns how many keys were deleted and how many are left (should be 0). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<{ deleted: number; left: number }> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  let left = 0;
  cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    left += keys.length;
  } while (cursor !== '0');
  return { deleted, left };
}
