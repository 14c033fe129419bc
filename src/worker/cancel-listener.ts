// Running diagnostics of this process, by id, so that a cancel published by any API instance
// (Redis pub/sub) or a shutdown reaches the run's AbortController.
import type { RedisClient } from '../store/redis.js';
import type { Logger } from 'pino';

export type StopReason = 'cancel' | 'shutdown';

export function createRunRegistry() {
  const running = new Map<string, AbortController>();
  return {
    register(id: string, ac: AbortController): () => void {
      running.set(id, ac);
      return () => { if (running.get(id) === ac) running.delete(id); };
    },
    stop(id: string, reason: StopReason): boolean {
      const ac = running.get(id);
      if (!ac || ac.signal.aborted) return false;
      ac.abort(reason);
      return true;
    },
    stopAll(reason: StopReason): number {
      let n = 0;
      for (const id of running.keys()) if (this.stop(id, reason)) n++;
      return n;
    },
    get size() { return running.size; },
  };
}

export type RunRegistry = ReturnType<typeof createRunRegistry>;

/** Subscribes `subscriber` (a dedicated connection) to the cancel channel. */
export async function listenForCancels(subscriber: RedisClient, channel: string, runs: RunRegistry, log: Logger): Promise<void> {
  subscriber.on('message', (ch: string, id: string) => {
    if (ch !== channel) return;
    if (runs.stop(id, 'cancel')) log.info({ diagnosticId: id }, 'cancel received; stopping the run');
  });
  await subscriber.subscribe(channel);
}
