// Does mail from the internet reach the mailbox? Delivers a test message to the domain's MX as any
// MTA would, waits for it in INBOX (or Junk), then deletes this run's test messages and nothing else.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { closeImap } from '../net/imap.js';
import { JUDGED_HEADERS } from './mail/auth-results.js';
import { deleteTokens, findJunkFolder, readHeaderFields } from './mail/mailbox-search.js';
import { watchMailbox, type Arrival, type WatchResult } from './mail/mailbox-watch.js';
import { deliverViaMx, type DeliveryResult } from './mail/mx-delivery.js';
import { replyEvidence } from '../net/smtp-reply.js';
import { buildTestMessage, newToken, TOKEN_HEADER } from './mail/test-message.js';
import { passwordRefused } from './credential-targets.js';
import { imapLoginReplyOf, judgeImapLoginReply } from './auth-replies.js';

/** Time kept back from the check's deadline to delete the test messages and log out. */
const CLEANUP_RESERVE_MS = 2500;

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const { settings } = ctx.deps;
  const { host, port } = withProviderServer(ctx.platform, ctx.facts.server).imap;
  const refused = passwordRefused(`imaps://${host}:${port}`, ctx, 'receive'); if (refused) return refused;
  const password = await ctx.credentials.acquire('receive');
  if (password === undefined) return { status: 'skipped', message: 'skipped: the password was already refused; not tried again (lockout safety)', evidence: {} };

  // Watch the mailbox before anything is sent, so that no arrival can be missed.
  const imap = await ctx.deps.net.connectImap({ host, port, user: ctx.account, password, signal: ctx.signal, timeoutMs: Math.max(1000, Math.min(20_000, ctx.deadline - ctx.deps.now() - CLEANUP_RESERVE_MS)) });
  if (!imap.ok) {
    if (imap.kind === 'auth') {
      // Same mapping as the imap check (auth-replies.ts): the reply is reported in the message and
      // evidence; the imap check owns the finding, so receive stays an error. Only a reply that
      // judged the password counts as a failed login (lockout safety).
      const verdict = judgeImapLoginReply(imapLoginReplyOf(imap.evidence), `the IMAP server ${host}`);
      if (verdict.judgedPassword) ctx.credentials.failed('receive', 'imap', verdict.code);
      return {
        status: 'error', code: 'CHECK_ERROR', message: `the IMAP login needed to watch the mailbox was refused (${verdict.code}): ${verdict.message}`,
        evidence: { imap: imap.evidence, verdict: { code: verdict.code, rule: verdict.rule, judgedPassword: verdict.judgedPassword } },
      };
    }
    if (imap.kind === 'unreachable') return { status: 'fail', code: 'IMAP_UNREACHABLE', message: `cannot watch the mailbox: ${imap.message}`, evidence: { imap: imap.evidence } };
    return { status: 'error', code: 'CHECK_ERROR', message: `cannot watch the mailbox: ${imap.message}`, evidence: { imap: imap.evidence } };
  }
  ctx.credentials.succeeded('receive', 'imap');
  const client = imap.client;
  const onAbort = () => client.close();
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  const token = newToken();
  const sentToken = ctx.facts.sentToken;
  const tokens = [token, ...(sentToken ? [sentToken] : [])];
  let junkFolder: string | undefined;
  let delivery: DeliveryResult | undefined;
  let watch: WatchResult | undefined;
  let outcome: CheckOutcome;
  try {
    junkFolder = await findJunkFolder(client);
    // From here on the check mostly waits (greylisting retries, IDLE): the worker may start another
    // run's active part meanwhile (WORKER_ACTIVE_MAX).
    ctx.deps.waiting?.();
    const start = ctx.deps.now();
    const waitUntil = Math.min(start + settings.receiveTimeoutMs, ctx.deadline - CLEANUP_RESERVE_MS);
    delivery = await deliverViaMx({
      net: ctx.deps.net, domain: ctx.domain, port: settings.mxPort, heloName: settings.heloName,
      from: settings.testMailFrom, to: ctx.account, signal: ctx.signal, now: ctx.deps.now, deadline: waitUntil,
      message: buildTestMessage({ from: settings.testMailFrom, to: ctx.account, token, purpose: 'receive', diagnosticId: ctx.diagnosticId }),
    });
    // Even when our message was not accepted, look (briefly) for the send check's one.
    const accepted = delivery.outcome === 'accepted';
    watch = await watchMailbox({
      client, token, sentToken, junkFolder, signal: ctx.signal, now: ctx.deps.now, since: delivery.firstAttemptAt,
      deadline: accepted ? waitUntil : Math.min(waitUntil, ctx.deps.now() + 1000),
    });
    outcome = judge(delivery, watch, settings.mailDelayedAfterMs, settings.receiveTimeoutMs);
    // How the platform judged both test messages, read before the cleanup deletes them (mail-auth check).
    ctx.facts.testMessageHeaders = await readJudgement(client, watch).catch((err: Error) => ({ error: err.message }));
  } catch (err) {
    outcome = ctx.signal.aborted
      ? { status: 'error', code: 'CHECK_TIMEOUT', message: 'receive was interrupted', evidence: {} }
      : { status: 'error', code: 'CHECK_ERROR', message: `watching the mailbox failed: ${(err as Error).message}`, evidence: { error: (err as { code?: string }).code } };
  }

  let cleanup: Awaited<ReturnType<typeof deleteTokens>> | { skipped: string } = { skipped: 'connection closed' };
  if (!ctx.signal.aborted && client.usable) {
    cleanup = await deleteTokens(client, ['INBOX', ...(junkFolder ? [junkFolder] : [])], tokens).catch((err: Error) => ({ skipped: err.message }));
  }
  ctx.signal.removeEventListener('abort', onAbort);
  await closeImap(client);

  outcome.evidence = {
    ...outcome.evidence,
    token, tokenHeader: TOKEN_HEADER, mxPort: settings.mxPort, imap: imap.evidence, junkFolder,
    delivery: delivery && describeDelivery(delivery),
    arrival: watch && { received: watch.received, idle: watch.idle, looks: watch.looks, existsEvents: watch.existsEvents, existsAtMs: watch.existsAtMs },
    sendCheckMessage: sentToken ? { token: sentToken, seen: Boolean(watch?.sent), ...(watch?.sent ? { folder: watch.sent.folder, afterMs: watch.sent.atMs } : {}) } : { token: null, seen: false, note: 'the send check submitted no message' },
    cleanup,
  };
  return outcome;
}

async function readJudgement(client: Parameters<typeof readHeaderFields>[0], w: WatchResult) {
  const read = async (a: Arrival | undefined) => (a ? { folder: a.folder, headers: (await readHeaderFields(client, a.folder, a.uids, JUDGED_HEADERS))[0] ?? '' } : undefined);
  const [probe, sent] = [await read(w.received), await read(w.sent)];
  return { ...(probe ? { probe } : {}), ...(sent ? { sent } : {}) };
}

function describeDelivery(d: DeliveryResult) {
  const { firstAttemptAt, ...rest } = d;
  const out: Record<string, unknown> = { ...rest, firstAttemptAt: new Date(firstAttemptAt).toISOString() };
  if ('reply' in d) out.reply = replyEvidence(d.reply);
  if ('acceptedAt' in d) out.acceptedAfterMs = d.acceptedAt - firstAttemptAt;
  return out;
}

function judge(d: DeliveryResult, w: WatchResult, delayedAfterMs: number, timeoutMs: number): CheckOutcome {
  if (d.outcome === 'dns-error') return { status: 'error', code: 'DNS_ERROR', message: `could not look up where to deliver mail for the domain (${d.error})`, evidence: {} };
  if (d.outcome === 'rejected') {
    return { status: 'fail', code: 'MX_REJECTED', message: `the MX ${d.host} refused the test message: ${d.reply.code}${d.reply.enhanced ? ` ${d.reply.enhanced}` : ''} ${d.reply.text}`.trim(), evidence: {} };
  }
  if (d.outcome === 'no-mx') return { status: 'fail', code: 'MAIL_NOT_RECEIVED', message: `mail cannot be delivered: the domain has no MX (${d.dns})`, evidence: {} };
  if (d.outcome === 'unreachable') return { status: 'fail', code: 'MAIL_NOT_RECEIVED', message: `mail cannot be delivered: no MX host could be reached (${d.mxHosts.map((h) => h.host).join(', ')})`, evidence: {} };
  if (d.outcome === 'deferred') return { status: 'fail', code: 'MAIL_NOT_RECEIVED', message: 'the MX kept deferring the test message (4xx) until the wait ended', evidence: {} };
  const r = w.received;
  if (!r) return { status: 'fail', code: 'MAIL_NOT_RECEIVED', message: `the MX accepted the test message but it did not reach the mailbox within ${Math.round(timeoutMs / 1000)} s`, evidence: {} };
  if (r.junk) return { status: 'warn', code: 'MAIL_IN_JUNK', message: `the test message arrived in ${r.folder} (junk) after ${r.atMs} ms`, evidence: {} };
  if (r.atMs > delayedAfterMs) return { status: 'warn', code: 'MAIL_DELAYED', message: `the test message arrived in INBOX after ${r.atMs} ms (more than ${delayedAfterMs} ms)`, evidence: {} };
  return { status: 'pass', message: `the test message arrived in INBOX after ${r.atMs} ms`, evidence: {} };
}

export const receiveCheck: CheckDefinition = {
  id: 'receive', after: ['mx', 'imap', 'send'], requires: ['imap'], usesPassword: true, timeoutMs: 90_000,
  run,
};
