// Asks the hosting provider what it knows of the mailbox: exists, in what phase of its life
// (active, being created, deleted or migrated, suspended), expired, locked, blocked for spam,
// protocols switched off, changes still queued. Its facts steer every later check (server,
// expected records, and whether a login may be spent at all).
import { CODES, type Code } from '../diagnostics/codes.js';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { ProviderError, type AccountState, type PendingTask } from '../providers/provider.js';

export interface AccountFinding { code: Code; message: string; detail?: Record<string, unknown> }

/** Pending tasks that change nothing a mail client sees (the provider's own diagnostic). */
const HARMLESS_TASKS = new Set(['diagnoseAccount']);

const TASK_WORDS: Record<string, string> = {
  changePassword: 'a password change (a new password may be refused until it is applied)',
  setExchangeAccountProtocol: 'a change of the protocol switches',
  setAccount: 'a change of the account settings',
  addAccount: 'the creation of the account',
  deleteAccount: 'the deletion of the account',
  migrationAccount: 'a migration of the mailbox',
  suspendAccount: 'a suspension', suspendHostedAccount: 'a suspension', unsuspendAccount: 'the end of a suspension',
  unsuspendHostedAccount: 'the end of a suspension', reOpenHostedAccount: 'the reopening of the account',
};
const describeTask = (t: PendingTask) => `${TASK_WORDS[t.function] ?? `a "${t.function}" task`} (${t.status}${t.since ? ` since ${t.since}` : ''})`;

/** Every finding the state supports, most fundamental first (not found is handled before). */
export function accountFindings(a: AccountState, now: number): AccountFinding[] {
  const out: AccountFinding[] = [];
  const expiry = a.expirationDate ? Date.parse(a.expirationDate) : NaN;
  const service = a.serviceState ? `; the Exchange service is ${a.serviceState}` : '';
  if (a.expired || (Number.isFinite(expiry) && expiry < now)) {
    out.push({ code: 'ACCOUNT_EXPIRED', message: `the subscription expired on ${a.expirationDate ?? 'an unknown date'}; sending and receiving are disabled`, detail: { expirationDate: a.expirationDate } });
  }
  if (a.phase === 'deleting') out.push({ code: 'ACCOUNT_DELETING', message: `the provider is deleting the account (state ${a.state}): it no longer logs in or receives mail`, detail: { state: a.state } });
  if (a.phase === 'suspended') out.push({ code: 'ACCOUNT_SUSPENDED', message: `the provider reports the account as ${a.state}${service}`, detail: { state: a.state, serviceState: a.serviceState } });
  if (a.phase === 'creating' || a.phase === 'reopening') {
    const what = a.phase === 'creating' ? 'still creating' : 'still reopening';
    out.push({ code: 'ACCOUNT_NOT_READY', message: `the provider is ${what} the account (state ${a.state}): no login, sending or delivery works until it is done`, detail: { state: a.state } });
  }
  if (a.locked) {
    const p = a.lockoutPolicy;
    const policy = p ? ` (security policy: locked after ${p.threshold ?? '?'} failed logins for ${p.durationMinutes ?? '?'} min)` : '';
    out.push({ code: 'ACCOUNT_LOCKED', message: `the account is locked by the security policy${a.lockedUntil ? ` until ${a.lockedUntil}` : ''}${policy}`, detail: { lockedUntil: a.lockedUntil, lockoutPolicy: p } });
  }
  if (a.spamBlocked) {
    out.push({ code: 'ACCOUNT_SPAM_BLOCKED', message: `sending is blocked for spam${a.spamTicketNumber ? ` (ticket ${a.spamTicketNumber})` : ''}; the account still receives mail`, detail: { spamTicketNumber: a.spamTicketNumber } });
  }
  // Only switches that break what customers report (reading, sending, webmail) are findings;
  // POP or ActiveSync being off is a choice, kept in evidence.
  const relevant = a.disabledProtocols.filter((p) => RELEVANT_PROTOCOLS.has(p));
  if (relevant.length) {
    out.push({ code: 'PROTOCOL_DISABLED', message: `protocol${relevant.length > 1 ? 's' : ''} switched off for the account: ${relevant.join(', ')}`, detail: { disabledProtocols: a.disabledProtocols } });
  }
  if (a.phase === 'migrating') {
    out.push({ code: 'ACCOUNT_IN_MIGRATION', message: `the provider is moving the mailbox to another server (state ${a.state}): access may drop and mail may be late until it is done`, detail: { state: a.state } });
  }
  const tasks = (a.pendingTasks ?? []).filter((t) => !HARMLESS_TASKS.has(t.function));
  if (tasks.length) {
    out.push({ code: 'ACCOUNT_TASK_PENDING', message: `a change is not applied yet at the provider: ${tasks.map(describeTask).join('; ')}`, detail: { pendingTasks: tasks } });
  }
  return out;
}

const RELEVANT_PROTOCOLS = new Set(['imap', 'owa', 'ews', 'smtp']);
/** Findings under which no login can succeed: spending one would only count towards the lockout. */
const LOGIN_BLOCKING = new Set<Code>(['ACCOUNT_NOT_FOUND', 'ACCOUNT_EXPIRED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_LOCKED', 'ACCOUNT_DELETING', 'ACCOUNT_NOT_READY']);

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const provider = ctx.deps.provider;
  if (provider.name === 'none') {
    return { status: 'skipped', message: 'not applicable: no account-state provider is configured', evidence: { provider: 'none' } };
  }
  let lookup;
  try {
    lookup = await provider.lookup(ctx.account, ctx.signal);
  } catch (err) {
    if (err instanceof ProviderError) {
      return { status: 'error', code: 'PROVIDER_ERROR', message: `the ${provider.name} provider could not answer: ${err.message}`, evidence: { provider: provider.name, ...err.evidence } };
    }
    throw err;
  }
  if (!lookup.found) {
    ctx.facts.loginBlocked = 'ACCOUNT_NOT_FOUND';
    return { status: 'fail', code: 'ACCOUNT_NOT_FOUND', message: `the ${provider.name} provider does not know ${ctx.account}`, evidence: lookup.evidence };
  }
  const a = lookup.account;
  if (a.server) ctx.facts.server = a.server;
  if (a.expectedMx?.length) ctx.facts.expectedMx = a.expectedMx;
  if (a.expectedSrv) ctx.facts.expectedSrv = a.expectedSrv;
  if (a.expectedSpf) ctx.facts.expectedSpf = a.expectedSpf;
  if (a.providerDns) ctx.facts.providerDns = a.providerDns;
  if (a.dkim) ctx.facts.providerDkim = a.dkim;
  ctx.facts.disabledProtocols = a.disabledProtocols;
  // Read by each password check's gate (credential-targets.ts): the refusal is reported there.
  if (a.authPolicy) ctx.facts.authPolicy = a.authPolicy;
  if (a.ipRestrictions) ctx.facts.ipRestrictions = a.ipRestrictions;
  const findings = accountFindings(a, ctx.deps.now());
  const blocking = findings.find((f) => LOGIN_BLOCKING.has(f.code));
  if (blocking) ctx.facts.loginBlocked = blocking.code;
  if (a.spamBlocked) ctx.facts.sendBlocked = 'ACCOUNT_SPAM_BLOCKED';
  const evidence = {
    ...lookup.evidence,
    state: a.state,
    phase: a.phase,
    ...(a.serviceState ? { serviceState: a.serviceState } : {}),
    expirationDate: a.expirationDate,
    spamBlocked: a.spamBlocked,
    spamTicketNumber: a.spamTicketNumber,
    locked: a.locked,
    lockedUntil: a.lockedUntil,
    lockoutPolicy: a.lockoutPolicy,
    disabledProtocols: a.disabledProtocols,
    server: a.server,
    expectedMx: a.expectedMx,
    expectedSrv: a.expectedSrv,
    expectedSpf: a.expectedSpf,
    pendingTasks: a.pendingTasks,
    // What may refuse a correct password: the policy's blocked protocols and the authorised IPs.
    ...(a.authPolicy ? { authPolicy: a.authPolicy } : {}),
    ...(a.ipRestrictions ? { ipRestrictions: a.ipRestrictions } : {}),
  };
  const [first, ...others] = findings;
  if (!first) {
    if (a.phase === 'unknown') {
      return { status: 'error', code: 'PROVIDER_ERROR', message: `the ${provider.name} provider reports an account state we do not know ("${a.state}"): it cannot be judged`, evidence };
    }
    return { status: 'pass', message: `the account is active (${provider.name})`, evidence };
  }
  return {
    status: CODES[first.code].severity === 'warn' ? 'warn' : 'fail',
    code: first.code,
    message: first.message,
    evidence: {
      ...evidence, ...first.detail,
      ...(a.phase === 'unknown' ? { unknownState: a.state } : {}),
      otherFindings: others.map((f) => ({ code: f.code, message: f.message })),
    },
  };
}

export const accountCheck: CheckDefinition = {
  id: 'account',
  after: [],
  requires: [],
  usesPassword: false,
  timeoutMs: 15_000,
  run,
};
