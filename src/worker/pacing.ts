// Paces the active part of diagnostic runs in one worker process. A worker may hold up to
// WORKER_CONCURRENCY jobs (most of a run's life is waiting on mail, which costs a timer and a
// socket), but the CPU-heavy part — DNS, HTTPS, IMAP and SMTP handshakes of every check before the
// receive check settles into waiting — must not start for all of them in the same tick: on one core
// that starves every run's own timers and the checks time out on our overload. A run takes a slot
// before it starts and gives it back when it ends or when a check says it only waits now
// (CheckDeps.waiting, called by the receive check). Slots are handed over first come, first served.
export interface ActiveSlot {
  /** Gives the slot back (to the longest waiter); calling it again does nothing. */
  release(): void;
  /** How long this run waited for its slot, ms. */
  readonly waitedMs: number;
}

export interface ActiveGate {
  /**
   * A slot, at once when one is free. `onQueued(ahead)` is called (synchronously) when the run has
   * to wait, with the number of runs waiting before it. Rejects with the signal's reason on abort.
   */
  acquire(signal?: AbortSignal, onQueued?: (ahead: number) => void): Promise<ActiveSlot>;
  /** Runs holding a slot. */
  readonly active: number;
  /** Runs waiting for one. */
  readonly waiting: number;
  /** Most runs that held a slot at the same time since start. */
  readonly peak: number;
  /** The limit (0: none). */
  readonly max: number;
}

interface Waiter {
  grant(): void;
  since: number;
}

/** `max` 0: no limit (every acquire is granted at once; active and peak are still counted). */
export function createActiveGate(max: number, now: () => number = () => performance.now()): ActiveGate {
  if (!Number.isInteger(max) || max < 0) throw new RangeError('max must be an integer >= 0');
  let active = 0;
  let peak = 0;
  const queue: Waiter[] = [];

  const slot = (since: number): ActiveSlot => {
    let held = true;
    const waitedMs = Math.max(0, now() - since);
    return {
      waitedMs,
      release() {
        if (!held) return;
        held = false;
        active--;
        // Hand the slot straight to the next waiter: nobody can overtake it in between.
        const next = queue.shift();
        if (next) next.grant();
      },
    };
  };
  const take = () => { active++; if (active > peak) peak = active; };

  return {
    acquire(signal, onQueued) {
      const since = now();
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (max === 0 || active < max) {
        take();
        return Promise.resolve(slot(since));
      }
      return new Promise<ActiveSlot>((resolve, reject) => {
        const waiter: Waiter = {
          since,
          grant() {
            signal?.removeEventListener('abort', onAbort);
            take();
            resolve(slot(since));
          },
        };
        const onAbort = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
        onQueued?.(queue.length - 1);
      });
    },
    get active() { return active; },
    get waiting() { return queue.length; },
    get peak() { return peak; },
    max,
  };
}
