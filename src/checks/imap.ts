// Can a mail client log in over IMAP? Separates a refused password from an unreachable server
// and from a certificate the client would reject.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { closeImap } from '../net/imap.js';
import { passwordRefused } from './credential-targets.js';
import { imapLoginReplyOf, judgeImapLoginReply } from './auth-replies.js';
import { sessionCertExpiring, withCertExpiry } from './tls-expiry.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const { host } = withProviderServer(ctx.platform, ctx.facts.server).imap;
  const outcome = await login(ctx);
  // evidence.tls holds the TLS facts of the session that carried the login.
  return withCertExpiry(outcome, sessionCertExpiring(host, outcome.evidence.tls, ctx.deps.now(), ctx.deps.settings.tlsExpiringDays));
}

async function login(ctx: CheckContext): Promise<CheckOutcome> {
  const { host, port } = withProviderServer(ctx.platform, ctx.facts.server).imap;
  const refused = passwordRefused(`imaps://${host}:${port}`, ctx, 'imap'); if (refused) return refused;
  const password = await ctx.credentials.acquire('imap');
  if (password === undefined) return { status: 'skipped', message: 'skipped: the password was already refused; not tried again (lockout safety)', evidence: {} };
  const budget = Math.max(1000, ctx.deadline - ctx.deps.now() - 500);
  const r = await ctx.deps.net.connectImap({ host, port, user: ctx.account, password, signal: ctx.signal, timeoutMs: budget });
  if (r.ok) {
    ctx.credentials.succeeded('imap', 'imap');
    const t0 = performance.now();
    await closeImap(r.client);
    return { status: 'pass', message: `IMAP login to ${host}:${port} succeeded`, evidence: { ...r.evidence, logoutMs: Math.round(performance.now() - t0) } };
  }
  switch (r.kind) {
    case 'auth': {
      // The server's own words decide: only a reply that judged the password counts as a failed
      // login; otherwise the guard stays undecided and the runner releases the turn.
      const verdict = judgeImapLoginReply(imapLoginReplyOf(r.evidence), `the IMAP server ${host}`);
      if (verdict.judgedPassword) ctx.credentials.failed('imap', 'imap', verdict.code);
      return { status: 'fail', code: verdict.code, message: verdict.message, evidence: { ...r.evidence, verdict: { rule: verdict.rule, judgedPassword: verdict.judgedPassword } } };
    }
    case 'tls':
      return { status: 'fail', code: 'TLS_INVALID', message: r.message, evidence: r.evidence };
    case 'unreachable':
      return { status: 'fail', code: 'IMAP_UNREACHABLE', message: r.message, evidence: r.evidence };
    default:
      return { status: 'error', code: 'CHECK_ERROR', message: r.message, evidence: r.evidence };
  }
}

export const imapCheck: CheckDefinition = {
  id: 'imap', after: ['account'], requires: [], usesPassword: true, timeoutMs: 20_000,
  shouldSkip: (ctx) => (ctx.facts.disabledProtocols?.includes('imap')
    ? { check: 'account', code: 'PROTOCOL_DISABLED', message: 'skipped: IMAP is disabled for this account' }
    : undefined),
  run,
};
