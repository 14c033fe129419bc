// Asks the hosting provider what it knows of the mailbox: exists, expired, suspended, locked,
// blocked for spam, protocols switched off. Its facts steer every later check (server, MX,
// and whether a login may be spent at all).
import type { Code } from '../diagnostics/codes.js';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { ProviderError, type AccountState } from '../providers/provider.js';

export interface AccountFinding { code: Code; message: string; detail?: Record<string, unknown> }

/** Every finding the state supports, most fundamental first (not found is handled before). */
export function accountFindings(a: AccountState, now: number): AccountFinding[] {
  const out: AccountFinding[] = [];
  const expiry = a.expirationDate ? Date.parse(a.expirationDate) : NaN;
  if (a.expired || (Number.isFinite(expiry) && expiry < now)) {
    out.push({ code: 'ACCOUNT_EXPIRED', message: `the subscription expired on ${a.expirationDate ?? 'an unknown date'}; sending and receiving are disabled`, detail: { expirationDate: a.expirationDate } });
  }
  if (a.suspended) out.push({ code: 'ACCOUNT_SUSPENDED', message: `the provider reports the account as ${a.state}`, detail: { state: a.state } });
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
  return out;
}

const RELEVANT_PROTOCOLS = new Set(['imap', 'owa', 'ews', 'smtp']);
const LOGIN_BLOCKING = new Set<Code>(['ACCOUNT_NOT_FOUND', 'ACCOUNT_EXPIRED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_LOCKED']);

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
  ctx.facts.disabledProtocols = a.disabledProtocols;
  const findings = accountFindings(a, ctx.deps.now());
  const blocking = findings.find((f) => LOGIN_BLOCKING.has(f.code));
  if (blocking) ctx.facts.loginBlocked = blocking.code;
  if (a.spamBlocked) ctx.facts.sendBlocked = 'ACCOUNT_SPAM_BLOCKED';
  const evidence = {
    ...lookup.evidence,
    state: a.state,
    expirationDate: a.expirationDate,
    spamBlocked: a.spamBlocked,
    spamTicketNumber: a.spamTicketNumber,
    locked: a.locked,
    lockedUntil: a.lockedUntil,
    lockoutPolicy: a.lockoutPolicy,
    disabledProtocols: a.disabledProtocols,
    server: a.server,
    expectedMx: a.expectedMx,
  };
  const [first, ...others] = findings;
  if (!first) return { status: 'pass', message: `the account is active (${provider.name})`, evidence };
  return {
    status: 'fail',
    code: first.code,
    message: first.message,
    evidence: { ...evidence, ...first.detail, otherFindings: others.map((f) => ({ code: f.code, message: f.message })) },
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
