// "A service whose job is telling customers what is wrong must not report its own overload as
// their fault." When this process's event loop stalled badly while a check ran, a timeout is
// ours: the check's CHECK_TIMEOUT / DEADLINE_EXCEEDED says so with the stall as evidence, and a
// connection that timed out during the stall (SMTP_UNREACHABLE, IMAP_UNREACHABLE,
// WEBMAIL_UNREACHABLE with a timeout as the error) becomes CHECK_TIMEOUT instead of a finding
// against the customer's server. Refusals, resets and answers the server gave stay as they are:
// a stalled loop delays them, it does not cause them.
import type { Code } from '../diagnostics/codes.js';
import type { CheckOutcome } from '../diagnostics/types.js';

/** An event-loop stall at least this long during a check makes its timeouts ours, ms. */
export const OVERLOAD_LAG_MS = 1000;

const UNREACHABLE: ReadonlySet<Code> = new Set<Code>(['SMTP_UNREACHABLE', 'IMAP_UNREACHABLE', 'WEBMAIL_UNREACHABLE']);
const OUR_TIMEOUTS: ReadonlySet<Code> = new Set<Code>(['CHECK_TIMEOUT', 'DEADLINE_EXCEEDED']);
/** Timeout codes of net/errors.ts (sockets, nodemailer, ImapFlow, undici, our exchange budget). */
const TIMEOUT = /^(ETIMEDOUT|ETIMEOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|UPGRADE_TIMEOUT|ESOCKETTIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|EXCHANGE_TIMEOUT|timeout)$/;

/** The evidence names a timeout as the error (top level, or one level down: `imap`, `probe`, …). */
function timedOut(evidence: Record<string, unknown>, depth = 0): boolean {
  for (const k of ['errorCode', 'code', 'kind', 'error']) {
    const v = evidence[k];
    if (typeof v === 'string' && (TIMEOUT.test(v) || (k === 'kind' && v === 'timeout'))) return true;
  }
  if (depth > 0) return false;
  return Object.values(evidence).some((v) => v !== null && typeof v === 'object' && !Array.isArray(v) && timedOut(v as Record<string, unknown>, 1));
}

/** `outcome` as the report should tell it, given the longest event-loop stall (ms) during the check. */
export function judgeOverload(check: string, outcome: CheckOutcome, lagMs: number | undefined): CheckOutcome {
  if (lagMs === undefined || lagMs < OVERLOAD_LAG_MS) return outcome;
  const stalled = Math.round(lagMs);
  const overload = { eventLoopStallMs: stalled, thresholdMs: OVERLOAD_LAG_MS };
  const ours = `this diagnostics worker was overloaded (its event loop stalled ${stalled} ms during the check): the timeout says nothing about the account`;
  if (outcome.status === 'error' && outcome.code && OUR_TIMEOUTS.has(outcome.code)) {
    return { ...outcome, message: `${outcome.message}; ${ours}`, evidence: { ...outcome.evidence, overload } };
  }
  if (outcome.status === 'fail' && outcome.code && UNREACHABLE.has(outcome.code) && timedOut(outcome.evidence)) {
    return {
      status: 'error', code: 'CHECK_TIMEOUT',
      message: `${check} timed out while ${ours} (it would otherwise have reported ${outcome.code}: ${outcome.message})`,
      evidence: { ...outcome.evidence, overload: { ...overload, insteadOf: outcome.code } },
    };
  }
  return outcome;
}
