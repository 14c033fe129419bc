// A process's resident memory over time: the largest value seen while something runs.

export interface RssSampler {
  /** Stops sampling; the largest RSS seen, bytes. */
  stop(): Promise<number>;
}

/** Samples `read()` every `everyMs` until stopped (a peak between two samples can be missed). */
export function sampleRss(read: () => Promise<number>, everyMs = 20): RssSampler {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await read().catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
