// Runs a set of checks: order and prerequisites, per-check timeouts, the overall deadline,
// cancellation, exception capture, timings, then the root-cause analysis. Checks only decide.
import type { Logger } from 'pino';
import type { Code } from '../diagnostics/codes.js';
import { createCredentialGuard } from './credential-guard.js';
import type { CheckDeps } from '../diagnostics/deps.js';
import { remediationFor } from '../diagnostics/remediation.js';
import { analyse } from './root-cause.js';
import { capEvidence } from './evidence-budget.js';
import { judgeOverload } from './overload.js';
import { secretScrubber } from './scrub.js';
import type {
  CheckContext, CheckDefinition, CheckId, CheckOutcome, CheckResult, CredentialGuard, DiagnosticReport, SharedFacts,
} from '../diagnostics/types.js';
import type { ResolvedPlatform } from '../platforms/profile.js';

export type RunEvent =
  | { type: 'check.started'; check: CheckId; at: string }
  | { type: 'check.finished'; check: CheckId; result: CheckResult };

export interface RunInput {
  diagnosticId: string;
  account: string;
  password: string;
  platform: ResolvedPlatform;
  /** Checks to run, in registry order; unknown ids must be rejected before this point. */
  checks: CheckId[];
}

export interface RunOptions {
  registry: ReadonlyMap<CheckId, CheckDefinition>;
  deps: CheckDeps;
  log: Logger;
  /** Per-check timeout overrides, ms. */
  timeouts?: Partial<Record<CheckId, number>>;
  /** Whole-run deadline, ms from start. */
  deadlineMs: number;
  /** Aborts the run (cancellation, worker shutdown). */
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void | Promise<void>;
}

export class RunCancelledError extends Error {
  override name = 'RunCancelledError';
}

export async function runDiagnostic(input: RunInput, opts: RunOptions): Promise<DiagnosticReport> {
  const t0 = opts.deps.now();
  const runDeadline = t0 + opts.deadlineMs;
  const [localPart, domain] = splitAddress(input.account);
  const guard = createCredentialGuard(input.password);
  const facts: SharedFacts = {};
  const results: Partial<Record<CheckId, CheckResult>> = {};
  const selected = new Set(input.checks);
  const done = new Map<CheckId, Promise<CheckResult>>();
  // Defence in depth: whatever a check wrote, the password (in any encoding) never leaves the runner.
  const scrub = secretScrubber(input.password, { account: input.account });

  const runOne = async (def: CheckDefinition): Promise<CheckResult> => {
    await Promise.all(def.after.filter((d) => selected.has(d)).map((d) => done.get(d)));
    if (opts.signal?.aborted) throw new RunCancelledError('diagnostic cancelled');
    const startedAt = new Date(opts.deps.now()).toISOString();
    const timeoutMs = opts.timeouts?.[def.id] ?? def.timeoutMs;
    const deadline = Math.min(opts.deps.now() + timeoutMs, runDeadline);
    const ac = new AbortController();
    const ctx: CheckContext = {
      diagnosticId: input.diagnosticId, account: input.account, localPart, domain,
      platform: input.platform, credentials: guard, facts, selected, results: { ...results },
      signal: ac.signal, deadline, deps: opts.deps,
      log: opts.log.child({ check: def.id }),
    };
    const skip = skipReason(def, ctx, selected);
    if (skip) {
      const r = finish(def.id, startedAt, 0, { status: 'skipped', message: skip.message, evidence: {} });
      r.skippedBecause = { check: skip.check, ...(skip.code ? { code: skip.code } : {}) };
      return record(r);
    }
    await opts.onEvent?.({ type: 'check.started', check: def.id, at: startedAt });
    const started = performance.now();
    // A timeout during a stall of our own event loop is our overload, not the customer's fault.
    const outcome = judgeOverload(def.id, await guarded(def, ctx, ac, deadline, runDeadline, opts.signal), opts.deps.loopLag?.maxDelaySince(started));
    guard.release(def.id);
    if (opts.signal?.aborted) throw new RunCancelledError('diagnostic cancelled');
    const r = finish(def.id, startedAt, Math.round(performance.now() - started), outcome);
    // A check that found the password already rejected (it waited for another login) skips itself.
    if (r.status === 'skipped' && guard.rejectedBy) r.skippedBecause = { check: guard.rejectedBy, code: guard.rejectedCode ?? 'AUTH_FAILED' };
    return record(r);
  };

  const finish = (id: CheckId, startedAt: string, durationMs: number, o: CheckOutcome): CheckResult => {
    const scrubbed = scrub(o);
    // Scrubbed first (a cut could hide a password's start from the scrubber), then bounded.
    const capped = capEvidence(scrubbed.evidence);
    const clean = capped.truncated ? { ...scrubbed, evidence: { ...capped.evidence, evidenceTruncated: capped.truncated } } : scrubbed;
    const r: CheckResult = { id, ...clean, durationMs, startedAt };
    if (clean.code && clean.status !== 'pass') r.remediation = { fr: remediationFor(clean.code, 'fr'), en: remediationFor(clean.code, 'en') };
    return r;
  };

  const record = async (r: CheckResult) => {
    results[r.id] = r;
    await opts.onEvent?.({ type: 'check.finished', check: r.id, result: r });
    return r;
  };

  for (const id of input.checks) {
    const def = opts.registry.get(id);
    if (!def) throw new Error(`unknown check ${id}`);
    done.set(id, Promise.resolve().then(() => runOne(def)));
  }
  const settled = await Promise.allSettled([...done.values()]);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const checks = annotateRefusals(input.checks.map((id) => results[id]!), guard, facts);
  const analysed = analyse(checks);
  return { ...analysed, durationMs: Math.round(opts.deps.now() - t0) };
}

async function guarded(
  def: CheckDefinition, ctx: CheckContext, ac: AbortController, deadline: number, runDeadline: number, outer?: AbortSignal,
): Promise<CheckOutcome> {
  // Cancellation does not wait for a check to notice its signal (one stuck in a DNS wait would
  // hold the run): the race ends at once and the check's late result is dropped.
  let onOuter = () => { ac.abort(outer?.reason); };
  const cancelled = new Promise<CheckOutcome>((resolve) => {
    onOuter = () => {
      ac.abort(outer?.reason);
      resolve({ status: 'error', code: 'CHECK_TIMEOUT', message: `${def.id} was cancelled`, evidence: {} });
    };
  });
  if (outer?.aborted) onOuter();
  outer?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const budget = Math.max(0, deadline - ctx.deps.now());
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      const code: Code = deadline >= runDeadline ? 'DEADLINE_EXCEEDED' : 'CHECK_TIMEOUT';
      ac.abort(new Error(code));
      resolve({ status: 'error', code, message: `${def.id} did not finish in time (${code === 'DEADLINE_EXCEEDED' ? 'diagnostic deadline' : 'check timeout'})`, evidence: { timeoutMs: budget } });
    }, budget);
  });
  try {
    return await Promise.race([
      def.run(ctx).catch((err: unknown): CheckOutcome => ({
        status: 'error', code: 'CHECK_ERROR', message: `${def.id} failed unexpectedly: ${(err as Error)?.message ?? String(err)}`,
        evidence: { error: (err as Error)?.name ?? 'Error' },
      })),
      timedOut,
      cancelled,
    ]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
    if (!ac.signal.aborted) ac.abort(new Error('check finished'));
  }
}

/** How a check's login is named in messages. */
const LOGIN_LABELS: Partial<Record<CheckId, string>> = {
  webmail: 'webmail (EWS)', imap: 'IMAP', receive: 'IMAP', send: 'SMTP submission', autodiscover: 'Autodiscover',
};
/** Refusals that say nothing against the password: the provider's facts (no password sent), or the server's own words (SMTP 535 5.7.139). */
const PROVIDER_REFUSALS: ReadonlySet<Code> = new Set<Code>(['LEGACY_AUTH_BLOCKED', 'IP_NOT_AUTHORIZED']);

/**
 * Once every check has ended: a protocol the provider refuses (LEGACY_AUTH_BLOCKED,
 * IP_NOT_AUTHORIZED) says so with the login another check got accepted in this run ("the password
 * is right"); a login that went ahead on an IP-restricted protocol without knowing our egress
 * addresses carries the restriction, and its AUTH_FAILED names it as a possible cause.
 */
function annotateRefusals(checks: CheckResult[], guard: CredentialGuard, facts: SharedFacts): CheckResult[] {
  return checks.map((r) => {
    if (r.code && PROVIDER_REFUSALS.has(r.code)) {
      const by = guard.verifiedBy.find((v) => v.check !== r.id);
      if (!by) return r;
      const name = LOGIN_LABELS[by.check] ?? by.check;
      return {
        ...r,
        message: `${r.message}; ${name} accepted the same password: the password is right, do not change it`,
        evidence: { ...r.evidence, passwordAcceptedBy: { check: by.check, protocol: by.protocol } },
      };
    }
    const unverified = facts.unverifiedIpRestriction?.[r.id];
    if (!unverified) return r;
    const ipRestriction = { ...unverified, egressAddresses: 'unknown (EGRESS_ADDRESSES is not set)' };
    const message = r.code === 'AUTH_FAILED'
      ? `${r.message}; the provider restricts ${unverified.flag} to authorised IPs (${unverified.allowed.join(', ')}) and this service's egress addresses are not configured: the IP restriction may be the cause, not the password`
      : r.message;
    return { ...r, message, evidence: { ...r.evidence, ipRestriction } };
  });
}

function skipReason(def: CheckDefinition, ctx: CheckContext, selected: Set<CheckId>) {
  for (const req of def.requires) {
    if (!selected.has(req)) continue;
    const r = ctx.results[req];
    if (r?.status === 'skipped' && r.skippedBecause) {
      // Name the root: "receive skipped because imap was skipped" says less than "because of ACCOUNT_LOCKED".
      const root = r.skippedBecause;
      return { check: root.check, code: root.code, message: `skipped: ${req} was skipped because of ${root.check}${root.code ? ` (${root.code})` : ''}` };
    }
    if (r && r.status !== 'pass' && r.status !== 'warn') {
      if (r.code && PROVIDER_REFUSALS.has(r.code)) {
        // The provider refuses that login whatever the password: say so, not just "ended fail".
        return { check: req, code: r.code, message: `skipped: ${req} ended ${r.status} (${r.code}): the provider refuses that login whatever the password, so it was not tried` };
      }
      return { check: req, code: r.code, message: `skipped: ${req} ended ${r.status}${r.code ? ` (${r.code})` : ''}` };
    }
  }
  if (def.usesPassword) {
    if (ctx.facts.loginBlocked) {
      return { check: 'account' as CheckId, code: ctx.facts.loginBlocked, message: `skipped: the provider reports ${ctx.facts.loginBlocked}; a login would fail and count towards the lockout` };
    }
    const by = ctx.credentials.rejectedBy;
    if (by) {
      const code = ctx.credentials.rejectedCode ?? 'AUTH_FAILED';
      return { check: by, code, message: `skipped: ${by} got ${code}; the password is not tried again (lockout safety)` };
    }
  }
  return def.shouldSkip?.(ctx);
}

function splitAddress(account: string): [string, string] {
  const at = account.lastIndexOf('@');
  return [account.slice(0, at), account.slice(at + 1).toLowerCase()];
}
