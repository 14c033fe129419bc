// Delivers a message to a domain the way an internet MTA does: MX hosts by preference (the domain's
// own address when it has no MX, RFC 5321 §5.1), port 25-style relay without authentication,
// opportunistic STARTTLS that does not insist on a valid certificate, and retries after a 4xx
// reply (greylisting) within the time it is given.
import type { Net } from '../../net/index.js';
import { sleep } from './abortable.js';
import { classifyNetError } from '../../net/errors.js';
import { parseSmtpReply, replyClass, replyEvidence, replyOfError, type SmtpReply } from '../../net/smtp-reply.js';
import { SmtpStepError, type SmtpSession } from '../../net/smtp.js';

export interface MxDeliveryOptions {
  net: Net;
  domain: string;
  port: number;
  heloName: string;
  from: string;
  to: string;
  message: string;
  signal: AbortSignal;
  now(): number;
  /** Epoch ms after which no new attempt starts. */
  deadline: number;
  /** Pauses between rounds after a 4xx, ms (the last one repeats). */
  backoffMs?: number[];
}

export interface DeliveryAttempt {
  host: string;
  address?: string;
  /** Ms since the first attempt. */
  atMs: number;
  result: 'accepted' | 'deferred' | 'rejected' | 'unreachable';
  starttls?: boolean;
  reply?: Record<string, unknown>;
  error?: string;
}

export type DeliveryResult = {
  /** Epoch ms of the first connection attempt (what "delayed" is measured from). */
  firstAttemptAt: number;
  mxHosts: Array<{ host: string; priority: number }>;
  implicitMx: boolean;
  attempts: DeliveryAttempt[];
} & (
  | { outcome: 'accepted'; host: string; reply: SmtpReply; acceptedAt: number }
  | { outcome: 'rejected'; host: string; reply: SmtpReply }
  | { outcome: 'deferred' | 'unreachable' }
  | { outcome: 'no-mx'; dns: string }
  | { outcome: 'dns-error'; error: string }
);

const DEFAULT_BACKOFF = [1000, 1500, 2000, 3000, 5000, 8000];

export async function deliverViaMx(o: MxDeliveryOptions): Promise<DeliveryResult> {
  const firstAttemptAt = o.now();
  const attempts: DeliveryAttempt[] = [];
  const base = () => ({ firstAttemptAt, attempts });
  const mx = await o.net.dns.mx(o.domain);
  let hosts: Array<{ host: string; priority: number }>;
  let implicitMx = false;
  if (mx.ok) {
    // Equal preferences are tried in random order, as RFC 5321 asks.
    hosts = mx.records.map((r) => ({ host: r.exchange, priority: r.priority, r: Math.random() }))
      .sort((a, b) => a.priority - b.priority || a.r - b.r).map(({ host, priority }) => ({ host, priority }));
    if (hosts.some((h) => h.host === '')) return { ...base(), mxHosts: hosts, implicitMx, outcome: 'no-mx', dns: 'null MX (RFC 7505)' };
  } else if (mx.kind === 'error') {
    return { ...base(), mxHosts: [], implicitMx, outcome: 'dns-error', error: mx.error };
  } else {
    const a = await o.net.dns.addresses(o.domain);
    if (a.ok) { hosts = [{ host: o.domain, priority: 0 }]; implicitMx = true; }
    else if (a.kind === 'error') return { ...base(), mxHosts: [], implicitMx, outcome: 'dns-error', error: a.error };
    else return { ...base(), mxHosts: [], implicitMx, outcome: 'no-mx', dns: `${mx.kind} (MX), ${a.kind} (address)` };
  }
  const common = { ...base(), mxHosts: hosts, implicitMx };
  const backoff = o.backoffMs ?? DEFAULT_BACKOFF;

  for (let round = 0; ; round++) {
    let deferred = false;
    for (const { host } of hosts) {
      const r = await attempt(o, host, firstAttemptAt);
      attempts.push(r.attempt);
      if (r.attempt.result === 'accepted') return { ...common, outcome: 'accepted', host, reply: r.reply!, acceptedAt: o.now() };
      if (r.attempt.result === 'rejected') return { ...common, outcome: 'rejected', host, reply: r.reply! };
      // A 4xx ends the round: the message waits in "our queue" for the next one, like Postfix does.
      if (r.attempt.result === 'deferred') { deferred = true; break; }
      if (o.signal.aborted) return { ...common, outcome: 'unreachable' };
    }
    if (!deferred) return { ...common, outcome: 'unreachable' };
    const pause = backoff[Math.min(round, backoff.length - 1)];
    if (o.signal.aborted || o.now() + pause > o.deadline) return { ...common, outcome: 'deferred' };
    await sleep(pause, o.signal);
  }
}

async function attempt(o: MxDeliveryOptions, host: string, t0: number): Promise<{ attempt: DeliveryAttempt; reply?: SmtpReply }> {
  const atMs = o.now() - t0;
  const resolved = await o.net.resolveHost(host);
  if (!resolved.ok) return { attempt: { host, atMs, result: 'unreachable', error: `DNS ${resolved.reason}${resolved.error ? ` ${resolved.error}` : ''}` } };
  const budget = Math.max(1000, Math.min(15_000, o.deadline - o.now()));
  let session: SmtpSession | undefined;
  try {
    session = await o.net.openSmtp({
      host: resolved.address, port: o.port, servername: host, name: o.heloName, opportunisticTLS: true,
      // An MTA encrypts when it can but does not authenticate the receiving server (no DANE/MTA-STS here).
      tls: { rejectUnauthorized: false },
      connectionTimeout: budget, greetingTimeout: budget, socketTimeout: budget, socketCloseTimeout: 0,
    }, o.signal);
    const starttls = session.connection.secure;
    const info = await session.send(o.from, [o.to], o.message);
    session.quit();
    const reply = parseSmtpReply(info.response) ?? { code: 250, text: info.response, raw: info.response };
    return { attempt: { host, address: resolved.address, atMs, result: 'accepted', starttls, reply: { response: info.response } }, reply };
  } catch (err) {
    session?.quit();
    const cause = err instanceof SmtpStepError ? err.cause : err;
    const reply = replyOfError(cause);
    const starttls = session?.connection.secure;
    if (reply && (replyClass(reply.code) === 'transient' || replyClass(reply.code) === 'permanent')) {
      const result = replyClass(reply.code) === 'transient' ? 'deferred' : 'rejected';
      return { attempt: { host, address: resolved.address, atMs, result, starttls, reply: replyEvidence(reply) }, reply };
    }
    const net = classifyNetError(cause);
    return { attempt: { host, address: resolved.address, atMs, result: 'unreachable', starttls, error: net.code ?? net.message } };
  }
}

