// Per-check timeouts from the configuration, the same for the worker and the CLI.
import type { Config } from '../config/index.js';
import { CHECK_IDS, type CheckId } from '../diagnostics/types.js';

/** Room the receive check keeps beyond its wait, for delivery, cleanup and logout. */
const RECEIVE_MARGIN_MS = 15_000;

/** Overrides of the checks' own timeouts: CHECK_TIMEOUT_MS when set, and the receive check's wait. */
export function checkTimeouts(config: Pick<Config, 'CHECK_TIMEOUT_MS' | 'RECEIVE_TIMEOUT_MS'>): Partial<Record<CheckId, number>> {
  const all = config.CHECK_TIMEOUT_MS;
  const out: Partial<Record<CheckId, number>> = all ? Object.fromEntries(CHECK_IDS.map((id) => [id, all])) : {};
  out.receive = config.RECEIVE_TIMEOUT_MS + RECEIVE_MARGIN_MS;
  return out;
}
