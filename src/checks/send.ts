// Can the account send? Authenticated submission as a mail client does it (STARTTLS required, or
// implicit TLS on 465), then a test message to itself that the receive check may see arriving.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { classifyNetError } from '../net/errors.js';
import { cleanupSentMessage } from './mail/sent-cleanup.js';
import { replyEvidence, replyOfError } from '../net/smtp-reply.js';
import { SmtpStepError, type SmtpSession } from '../net/smtp.js';
import { buildTestMessage, newToken, TOKEN_HEADER } from './mail/test-message.js';
import { passwordRefused } from './credential-targets.js';
import { judgeSmtpAuthReply } from './auth-replies.js';
import { sessionCertExpiring, withCertExpiry } from './tls-expiry.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const { host } = withProviderServer(ctx.platform, ctx.facts.server).smtp;
  const outcome = await submit(ctx);
  // evidence.tls holds the TLS facts of the session that carried the login.
  return withCertExpiry(outcome, sessionCertExpiring(host, outcome.evidence.tls, ctx.deps.now(), ctx.deps.settings.tlsExpiringDays));
}

async function submit(ctx: CheckContext): Promise<CheckOutcome> {
  const { host, port } = withProviderServer(ctx.platform, ctx.facts.server).smtp;
  const implicitTls = port === 465;
  const refused = passwordRefused(`${implicitTls ? 'smtps' : 'smtp'}://${host}:${port}`, ctx, 'send'); if (refused) return refused;
  const password = await ctx.credentials.acquire('send');
  if (password === undefined) return { status: 'skipped', message: 'skipped: the password was already refused; not tried again (lockout safety)', evidence: {} };

  const resolved = await ctx.deps.net.resolveHost(host);
  if (!resolved.ok) {
    return { status: 'fail', code: 'SMTP_UNREACHABLE', message: `cannot resolve the submission server ${host} (${resolved.reason})`, evidence: { host, port, dns: resolved } };
  }
  const evidence: Record<string, unknown> = { host, address: resolved.address, port, tlsMode: implicitTls ? 'implicit' : 'starttls', dnsMs: resolved.ms };
  const timings: Record<string, number> = {};
  const budget = Math.max(1000, ctx.deadline - ctx.deps.now() - 500);
  let t = performance.now();
  const lap = (name: string) => { timings[name] = Math.round(performance.now() - t); t = performance.now(); };
  let session: SmtpSession | undefined;
  let authenticated = false;
  try {
    session = await ctx.deps.net.openSmtp({
      host: resolved.address, port, servername: host, secure: implicitTls, requireTLS: !implicitTls,
      name: ctx.deps.settings.heloName, connectionTimeout: budget, greetingTimeout: budget, socketTimeout: budget, socketCloseTimeout: 0,
    }, ctx.signal);
    lap('connectMs');
    evidence.tls = session.tls();
    await session.login(ctx.account, password);
    lap('authMs');
    authenticated = true;
    ctx.credentials.succeeded('send', 'smtp');
    const token = newToken();
    const message = buildTestMessage({ from: ctx.account, to: ctx.account, token, purpose: 'send', diagnosticId: ctx.diagnosticId });
    const info = await session.send(ctx.account, [ctx.account], message);
    lap('sendMs');
    ctx.facts.sentToken = token;
    session.quit();
    // The receive check deletes this message when it runs; otherwise we do.
    const cleanup = ctx.selected.has('receive') ? undefined : await cleanupSentMessage(ctx, password, token);
    return {
      status: 'pass', message: `the submission server ${host}:${port} accepted a test message`,
      evidence: { ...evidence, token, tokenHeader: TOKEN_HEADER, accepted: info.accepted, response: info.response, transcript: session.transcript, timings, ...(cleanup ? { cleanup } : {}) },
    };
  } catch (err) {
    session?.quit();
    const step = err instanceof SmtpStepError ? err.step : 'connect';
    const cause = err instanceof SmtpStepError ? err.cause : err;
    const reply = replyOfError(cause);
    const out = { ...evidence, step, transcript: session?.transcript, timings, ...(reply ? replyEvidence(reply) : {}) };
    if (ctx.signal.aborted) return { status: 'error', code: 'CHECK_TIMEOUT', message: 'send was interrupted', evidence: out };
    // The server's own words at AUTH (or a "not authenticated" after it) decide the code; only a
    // reply that judged the password counts as a failed login (lockout safety).
    const verdict = reply && (step === 'auth' || (step === 'send' && authenticated)) ? judgeSmtpAuthReply(reply, step, `the submission server ${host}`) : undefined;
    if (verdict) {
      if (verdict.judgedPassword) ctx.credentials.failed('send', 'smtp', verdict.code);
      return { status: 'fail', code: verdict.code, message: verdict.message, evidence: { ...out, authenticated, verdict: { rule: verdict.rule, judgedPassword: verdict.judgedPassword } } };
    }
    if (step === 'connect' && reply && reply.code >= 400) {
      // The server answered but refused the session (e.g. 421/554 greeting): no submission service for us.
      return { status: 'fail', code: 'SMTP_UNREACHABLE', message: `the submission server ${host} refused the session: ${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''} ${reply.text}`.trim(), evidence: out };
    }
    if (reply && reply.code >= 400) {
      return { status: 'fail', code: 'SEND_REJECTED', message: `the submission server rejected the ${step === 'send' ? 'message' : step}: ${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''} ${reply.text}`.trim(), evidence: { ...out, authenticated } };
    }
    const net = classifyNetError(cause);
    if (net.kind === 'tls') {
      const tls = await ctx.deps.net.inspectTls({ address: resolved.address, port, servername: host, mode: implicitTls ? 'implicit' : 'smtp', heloName: ctx.deps.settings.heloName, timeoutMs: 5000, signal: ctx.signal });
      return { status: 'fail', code: 'TLS_INVALID', message: `the submission server's TLS is not valid for ${host} (${net.code})`, evidence: { ...out, tlsError: net.code, error: net.message, tls } };
    }
    if (net.kind === 'unreachable' || net.kind === 'timeout' || net.kind === 'forbidden') {
      return { status: 'fail', code: 'SMTP_UNREACHABLE', message: `cannot reach the submission server ${host} (${resolved.address}:${port}): ${net.code ?? net.message}`, evidence: { ...out, errorCode: net.code, error: net.message } };
    }
    return { status: 'error', code: 'CHECK_ERROR', message: `submission failed at ${step}: ${net.message}`, evidence: { ...out, errorCode: net.code, error: net.message } };
  }
}

export const sendCheck: CheckDefinition = {
  id: 'send', after: ['account', 'imap'], requires: [], usesPassword: true, timeoutMs: 20_000,
  shouldSkip: (ctx) => (ctx.facts.disabledProtocols?.includes('smtp')
    ? { check: 'account', code: 'PROTOCOL_DISABLED', message: 'skipped: SMTP is disabled for this account' }
    : undefined),
  run,
};
