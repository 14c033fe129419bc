// Watches how late this process's event loop runs, so that a check that timed out while the loop
// was stalled can say the stall was ours (src/run/overload.ts), not the customer's server.
// A timer ticks every `intervalMs` (unref'd: it never keeps a process alive); each tick records
// how late it ran. A stall still in progress counts too: when a check's own timer finally fires
// after a stall, the monitor's tick has not run yet, but "now − last tick" already shows it.
import type { LoopLag } from '../diagnostics/deps.js';

export interface LoopLagMonitor extends LoopLag {
  stop(): void;
}

export function createLoopLagMonitor(intervalMs = 100, keep = 2048, now: () => number = () => performance.now()): LoopLagMonitor {
  const at = new Float64Array(keep);
  const delay = new Float64Array(keep);
  let n = 0;
  let last = now();
  const timer = setInterval(() => {
    const t = now();
    const d = Math.max(0, t - last - intervalMs);
    last = t;
    if (d < 1) return; // on time: nothing worth keeping
    at[n % keep] = t;
    delay[n % keep] = d;
    n++;
  }, intervalMs);
  timer.unref();
  return {
    maxDelaySince(since) {
      // The current gap beyond one interval is a stall in progress.
      let max = Math.max(0, now() - last - intervalMs);
      // Newest first; a stall recorded at t covered (t − delay, t): it overlaps when t > since.
      for (let i = n - 1; i >= 0 && i >= n - keep; i--) {
        if (at[i % keep] <= since) break;
        if (delay[i % keep] > max) max = delay[i % keep];
      }
      return max;
    },
    stop: () => clearInterval(timer),
  };
}
