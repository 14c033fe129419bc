// Signs in to the platform's web services as the user would: an authenticated EWS GetFolder on
// the inbox (what OWA and Outlook do behind the scenes), plus an anonymous look at the OWA page.
import { withProviderServer } from '../platforms/profile.js';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { basicAuth, header, type HttpExchange } from '../net/http.js';
import { getInboxRequest, parseGetFolderResponse } from './http/soap.js';
import { offeredSchemes, parseWwwAuthenticate } from './http/www-authenticate.js';
import { mayReceivePassword, passwordRefused, type CredentialDecision } from './credential-targets.js';
import { certExpiring, withCertExpiry } from './tls-expiry.js';
import { judgeHttpAuthStatus } from './auth-replies.js';

const SOAP_HEADERS = { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml' };

/** Evidence for one exchange, never its request headers (they may carry credentials). */
function describe(res: HttpExchange, extra: Record<string, unknown> = {}) {
  return res.ok
    ? { url: res.url, status: res.status, ms: res.ms, ...extra }
    : { url: res.url, error: res.code, kind: res.kind, ms: res.ms, ...extra };
}

/** Transport failure → the finding it is for the user. */
function transportOutcome(res: Extract<HttpExchange, { ok: false }>, what: string, evidence: Record<string, unknown>): CheckOutcome {
  if (res.kind === 'tls') {
    return { status: 'fail', code: 'TLS_INVALID', message: `${what}: the server certificate is not valid (${res.code}); no password was sent`, evidence };
  }
  if (res.kind === 'aborted') return { status: 'error', code: 'CHECK_TIMEOUT', message: `${what}: cancelled before an answer`, evidence };
  return { status: 'fail', code: 'WEBMAIL_UNREACHABLE', message: `${what}: ${res.kind === 'dns' ? 'the name does not resolve' : res.kind === 'refused' ? 'connection refused' : res.kind === 'timeout' ? 'no answer in time' : res.kind === 'forbidden' ? 'the address may not be reached (egress policy)' : 'connection failed'} (${res.code})`, evidence };
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const { ews } = withProviderServer(ctx.platform, ctx.facts.server);
  const outcome = await signIn(ctx);
  // EWS answered over a verified connection: its certificate is the one the connector recorded.
  const answered = (outcome.evidence.ews as { status?: number } | undefined)?.status !== undefined;
  const expiry = answered ? certExpiring(new URL(ews).hostname, ctx.deps.net.peerCerts.forUrl(ews), ctx.deps.now(), ctx.deps.settings.tlsExpiringDays) : undefined;
  return withCertExpiry(outcome, expiry);
}

async function signIn(ctx: CheckContext): Promise<CheckOutcome> {
  const platform = withProviderServer(ctx.platform, ctx.facts.server);
  const owaPromise = ctx.deps.net.http.exchange(platform.owa, { signal: ctx.signal, maxBodyBytes: 64 * 1024 });
  const body = getInboxRequest();
  const probe = await ctx.deps.net.http.exchange(platform.ews, { method: 'POST', headers: SOAP_HEADERS, body, signal: ctx.signal });
  const owaRes = await owaPromise;
  const owa = describe(owaRes, owaRes.ok && header(owaRes.headers, 'location')[0] ? { location: header(owaRes.headers, 'location')[0] } : {});
  const schemes = probe.ok ? offeredSchemes(parseWwwAuthenticate(probe.headers['www-authenticate'])) : [];
  const evidence: Record<string, unknown> = { server: platform.server, owa, ews: describe(probe, { authSchemes: schemes }) };

  if (!probe.ok) return transportOutcome(probe, `EWS ${platform.ews}`, evidence);
  if (probe.status >= 500) return { status: 'fail', code: 'WEBMAIL_UNREACHABLE', message: `EWS answered HTTP ${probe.status}`, evidence };
  if (probe.status !== 401 && probe.status !== 200) {
    return { status: 'fail', code: 'WEBMAIL_UNREACHABLE', message: `EWS is not served at ${platform.ews} (HTTP ${probe.status})`, evidence };
  }
  let answer: HttpExchange = probe;
  if (probe.status === 401) {
    if (!schemes.includes('basic')) {
      return { status: 'fail', code: 'BASIC_AUTH_DISABLED', message: `the server refuses Basic authentication (it offers ${schemes.join(', ') || 'no scheme'}); no password was sent`, evidence };
    }
    // The profile's EWS URL, never one from an Autodiscover answer: platform hosts only.
    const target = mayReceivePassword(platform.ews, ctx);
    const refused = passwordRefused(platform.ews, ctx, 'webmail'); if (refused) return { ...refused, evidence: { ...evidence, ...refused.evidence } };
    const password = await ctx.credentials.acquire('webmail');
    if (password === undefined) return { status: 'skipped', message: 'skipped: a login already failed; the password is not tried again (lockout safety)', evidence };
    evidence.credentials = [{ url: platform.ews, sent: true, reason: target.reason }] satisfies CredentialDecision[];
    answer = await ctx.deps.net.http.exchange(platform.ews, {
      method: 'POST', headers: { ...SOAP_HEADERS, authorization: basicAuth(ctx.account, password) }, body, signal: ctx.signal,
    });
    evidence.ewsAuthenticated = describe(answer, { scheme: 'basic' });
    if (!answer.ok) return transportOutcome(answer, 'EWS (authenticated)', evidence);
    // The status of the request that carried the password (401, 403, 456, 457: auth-replies.ts);
    // only an answer that judged the password counts as a failed login (lockout safety).
    const verdict = judgeHttpAuthStatus(answer.status, 'EWS');
    if (verdict) {
      if (verdict.judgedPassword) ctx.credentials.failed('webmail', 'ews', verdict.code);
      return { status: 'fail', code: verdict.code, message: verdict.message, evidence: { ...evidence, verdict: { rule: verdict.rule, judgedPassword: verdict.judgedPassword } } };
    }
  } else {
    evidence.anonymous = true;
  }
  if (answer.status !== 200) {
    return { status: 'fail', code: 'WEBMAIL_UNREACHABLE', message: `EWS answered HTTP ${answer.status} to the signed-in request`, evidence };
  }
  if (probe.status === 401) ctx.credentials.succeeded('webmail', 'ews');
  const soap = parseGetFolderResponse(answer.body);
  evidence.soap = soap;
  if (soap.kind === 'folder') {
    return { status: 'pass', message: `signed in to EWS; inbox holds ${soap.totalCount ?? '?'} message${soap.totalCount === 1 ? '' : 's'}`, evidence };
  }
  const why = soap.kind === 'error' ? `ResponseCode ${soap.responseCode ?? '?'}${soap.message ? `: ${soap.message}` : ''}`
    : soap.kind === 'fault' ? `SOAP fault ${soap.faultCode ?? ''} ${soap.faultString ?? ''}`.trim() : soap.reason;
  return { status: 'fail', code: 'WEBMAIL_UNREACHABLE', message: `signed in, but EWS could not open the inbox (${why})`, evidence };
}

export const webmailCheck: CheckDefinition = {
  id: 'webmail',
  after: ['account', 'imap'],
  requires: [],
  usesPassword: true,
  timeoutMs: 20_000,
  run,
};
