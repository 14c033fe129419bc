// The POX Autodiscover flow Outlook runs ([MS-OXDSCLI] §3.1.5): the domain's candidate URLs in
// order, the http redirect probe, the SRV record, then redirects (HTTP 3xx, redirectUrl,
// redirectAddr). Every hop starts anonymous; the password goes only to an https endpoint that
// asked for Basic and that credential-targets.ts allows (a platform host, or a host on the
// mailbox's own registrable domain). Each such decision is listed in `evidence.credentials`.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { basicAuth, header, type HttpExchange } from '../net/http.js';
import { autodiscoverRefused, mayReceivePassword, type CredentialDecision } from './credential-targets.js';
import { parsePoxResponse, poxRequest, type PoxAnswer } from './http/pox.js';
import { offeredSchemes, parseWwwAuthenticate } from './http/www-authenticate.js';
import { certExpiring, withCertExpiry } from './tls-expiry.js';

const PATH = '/autodiscover/autodiscover.xml';
const MAX_REDIRECTS = 10;
const CANDIDATE_TIMEOUT_MS = 8_000;
const HEADERS = { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml' };

interface Attempt {
  candidate: string;
  url: string;
  /** The URL whose redirect (HTTP 3xx, the http probe, redirectUrl) led here. */
  from?: string;
  method: 'GET' | 'POST' | 'DNS';
  auth: 'none' | 'basic';
  status?: number;
  error?: string;
  kind?: string;
  authSchemes?: string[];
  answer?: string;
  ms: number;
}

type Step =
  | { kind: 'settings'; url: string; ewsUrl: string; answer: PoxAnswer }
  | { kind: 'redirectAddr'; address: string }
  | { kind: 'redirectUrl'; url: string; from: string }
  | { kind: 'authFailed'; url: string }
  | { kind: 'noPassword' }
  | { kind: 'next' };

const NEXT: Step = { kind: 'next' };

export function candidateUrls(domain: string) {
  return [
    { candidate: 'domain', url: `https://${domain}${PATH}` },
    { candidate: 'autodiscover-host', url: `https://autodiscover.${domain}${PATH}` },
  ];
}

/** An absolute URL from a Location header, or undefined when it does not parse. */
function resolveLocation(location: string | undefined, base: string): string | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, base).toString();
  } catch {
    return undefined;
  }
}

const isRedirect = (status: number) => status >= 300 && status < 400;

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const refused = autodiscoverRefused(ctx); if (refused) return refused;
  const attempts: Attempt[] = [];
  const credentials: CredentialDecision[] = [];
  const visited = new Set<string>();
  let password: string | undefined;
  let passwordAsked = false;
  let email = ctx.account;
  let redirects = 0;

  const note = (where: Pick<Attempt, 'candidate' | 'from'>, res: HttpExchange, method: 'GET' | 'POST', auth: 'none' | 'basic', extra: Partial<Attempt> = {}) => {
    const a: Attempt = res.ok
      ? { ...where, url: res.url, method, auth, status: res.status, ms: res.ms, ...extra }
      : { ...where, url: res.url, method, auth, error: res.code, kind: res.kind, ms: res.ms, ...extra };
    attempts.push(a);
    return a;
  };

  /** POST the POX request to one https URL: anonymously first, then with Basic if asked for and allowed. */
  const tryUrl = async (candidate: string, url: string, from?: string): Promise<Step> => {
    const where = { candidate, ...(from ? { from } : {}) };
    if (!url.startsWith('https://')) {
      attempts.push({ ...where, url, method: 'POST', auth: 'none', error: 'NOT_HTTPS', answer: 'refused: credentials are never sent over http', ms: 0 });
      return NEXT;
    }
    // [MS-OXDISCO]: never a URL that already failed for this address (also ends redirect loops).
    const key = `${email.toLowerCase()} ${url}`;
    if (visited.has(key)) {
      attempts.push({ ...where, url, method: 'POST', auth: 'none', error: 'ALREADY_TRIED', answer: 'already tried for this address: not tried again', ms: 0 });
      return NEXT;
    }
    visited.add(key);
    const body = poxRequest(email);
    let res = await ctx.deps.net.http.exchange(url, { method: 'POST', headers: HEADERS, body, signal: ctx.signal, timeoutMs: CANDIDATE_TIMEOUT_MS });
    let auth: 'none' | 'basic' = 'none';
    if (res.ok && isRedirect(res.status)) {
      const target = resolveLocation(header(res.headers, 'location')[0], url);
      note(where, res, 'POST', auth, { answer: target ? `redirect to ${target}` : 'redirect without a usable Location' });
      if (!target || ++redirects > MAX_REDIRECTS) return NEXT;
      return tryUrl(candidate, target, url);
    }
    if (res.ok && res.status === 401) {
      const schemes = offeredSchemes(parseWwwAuthenticate(res.headers['www-authenticate']));
      const asked = note(where, res, 'POST', 'none', { authSchemes: schemes });
      if (!schemes.includes('basic')) return NEXT;
      const verdict = mayReceivePassword(url, ctx, 'autodiscover');
      if (!verdict.ok) {
        // Outlook would ask the user here; we do not send the password silently.
        const reason = from?.startsWith('http://') ? `reached through the plain-http redirect of ${from}; ${verdict.reason}` : verdict.reason;
        credentials.push({ url, sent: false, reason });
        asked.answer = `asked for Basic: password withheld (${reason})`;
        return NEXT;
      }
      if (!passwordAsked) { password = await ctx.credentials.acquire('autodiscover'); passwordAsked = true; }
      if (password === undefined) return { kind: 'noPassword' };
      credentials.push({ url, sent: true, reason: verdict.reason });
      auth = 'basic';
      res = await ctx.deps.net.http.exchange(url, { method: 'POST', headers: { ...HEADERS, authorization: basicAuth(ctx.account, password) }, body, signal: ctx.signal, timeoutMs: CANDIDATE_TIMEOUT_MS });
      if (res.ok && res.status === 401) {
        note(where, res, 'POST', auth, { answer: 'credentials rejected' });
        ctx.credentials.failed('autodiscover', 'autodiscover');
        return { kind: 'authFailed', url };
      }
      if (res.ok && isRedirect(res.status)) {
        // Sent elsewhere after Basic: the next hop starts anonymous and is judged on its own.
        const target = resolveLocation(header(res.headers, 'location')[0], url);
        note(where, res, 'POST', auth, { answer: target ? `redirect to ${target}` : 'redirect without a usable Location' });
        if (!target || ++redirects > MAX_REDIRECTS) return NEXT;
        return tryUrl(candidate, target, url);
      }
    }
    if (!res.ok || res.status !== 200) { note(where, res, 'POST', auth); return NEXT; }
    if (auth === 'basic') ctx.credentials.succeeded('autodiscover', 'autodiscover');
    const answer = parsePoxResponse(res.body);
    const summary = answer.kind === 'settings' ? `settings (${answer.protocols.map((p) => p.type).join(', ') || 'no protocol'})`
      : answer.kind === 'redirectAddr' ? `redirectAddr ${answer.address}` : answer.kind === 'redirectUrl' ? `redirectUrl ${answer.url}`
        : answer.kind === 'error' ? `error ${answer.errorCode ?? ''} ${answer.message ?? ''}`.trim() : `invalid: ${answer.reason}`;
    note(where, res, 'POST', auth, { answer: summary });
    if (answer.kind === 'settings' && answer.ewsUrl) return { kind: 'settings', url, ewsUrl: answer.ewsUrl, answer };
    // A redirectAddr to the address just sent is an invalid answer ([MS-OXDISCO]), not a loop to follow.
    if (answer.kind === 'redirectAddr' && answer.address.toLowerCase() !== email.toLowerCase()) return { kind: 'redirectAddr', address: answer.address };
    if (answer.kind === 'redirectUrl') return { kind: 'redirectUrl', url: answer.url, from: url };
    return NEXT;
  };

  /** GET http://autodiscover.{domain}/… without credentials; only an https Location is followed. */
  const httpRedirect = async (domain: string): Promise<string | undefined> => {
    const url = `http://autodiscover.${domain}${PATH}`;
    const res = await ctx.deps.net.http.exchange(url, { signal: ctx.signal, timeoutMs: CANDIDATE_TIMEOUT_MS, maxBodyBytes: 16 * 1024 });
    const target = res.ok && isRedirect(res.status) ? resolveLocation(header(res.headers, 'location')[0], url) : undefined;
    note({ candidate: 'http-redirect' }, res, 'GET', 'none', target ? { answer: `redirect to ${target}${target.startsWith('https://') ? '' : ' (not https: ignored)'}` } : {});
    return target?.startsWith('https://') ? target : undefined;
  };

  const srvUrls = async (domain: string): Promise<string[]> => {
    const name = `_autodiscover._tcp.${domain}`;
    const a = await ctx.deps.net.dns.srv(name);
    if (!a.ok) {
      attempts.push({ candidate: 'srv', url: name, method: 'DNS', auth: 'none', error: a.kind === 'error' ? a.error : a.kind.toUpperCase(), answer: 'no SRV record', ms: a.ms });
      return [];
    }
    return [...a.records].sort((x, y) => x.priority - y.priority || y.weight - x.weight)
      .map((r) => `https://${r.name}${r.port === 443 ? '' : `:${r.port}`}${PATH}`);
  };

  /** The certificate of the https endpoint that answered (its exchange verified TLS), if it expires soon. */
  const expiryOf = (url: string) =>
    certExpiring(new URL(url).hostname, ctx.deps.net.peerCerts.forUrl(url), ctx.deps.now(), ctx.deps.settings.tlsExpiringDays);

  /** Runs one step's consequence; returns an outcome when the flow ends. */
  const settle = async (step: Step): Promise<CheckOutcome | 'restart' | undefined> => {
    let s = step;
    while (s.kind === 'redirectUrl') {
      if (++redirects > MAX_REDIRECTS) return undefined;
      s = await tryUrl('redirectUrl', s.url, s.from);
    }
    if (s.kind === 'settings') return passed(ctx, s, { attempts, credentials, email }, expiryOf(s.url));
    if (s.kind === 'authFailed') {
      return withCertExpiry({ status: 'fail', code: 'AUTH_FAILED', message: 'Autodiscover rejected the credentials (HTTP 401 after Basic authentication)', evidence: { attempts, credentials } }, expiryOf(s.url));
    }
    if (s.kind === 'noPassword') return { status: 'skipped', message: 'skipped: a login already failed; the password is not tried again (lockout safety)', evidence: { attempts, credentials } };
    if (s.kind === 'redirectAddr') {
      if (++redirects > MAX_REDIRECTS) return undefined;
      email = s.address;
      return 'restart';
    }
    return undefined;
  };

  for (;;) {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    let restart = false;
    const steps: Array<() => Promise<Step>> = [
      ...candidateUrls(domain).map((c) => () => tryUrl(c.candidate, c.url)),
      async () => {
        const target = await httpRedirect(domain);
        return target ? tryUrl('http-redirect', target, `http://autodiscover.${domain}${PATH}`) : NEXT;
      },
      async () => {
        for (const url of await srvUrls(domain)) {
          const st = await tryUrl('srv', url);
          if (st.kind !== 'next') return st;
        }
        return NEXT;
      },
    ];
    for (const step of steps) {
      if (ctx.signal.aborted) return { status: 'error', code: 'CHECK_TIMEOUT', message: 'Autodiscover cancelled', evidence: { attempts, credentials } };
      const end = await settle(await step());
      if (end === 'restart') { restart = true; break; }
      if (end) return end;
      if (redirects > MAX_REDIRECTS) break;
    }
    if (!restart) break;
  }
  return failure(attempts, credentials, redirects);
}

/** Settings found. The EWS URL they name is judged by the same rule (platform hosts only), for the record. */
function passed(ctx: CheckContext, s: Extract<Step, { kind: 'settings' }>, evidence: { attempts: Attempt[]; credentials: CredentialDecision[]; email: string }, expiry: ReturnType<typeof certExpiring>): CheckOutcome {
  const ews = mayReceivePassword(s.ewsUrl, ctx);
  const withheld = evidence.credentials.filter((c) => !c.sent).length;
  const notes = [
    ...(ews.ok ? [] : [`not a platform host: the diagnostic sends no password there (${ews.reason})`]),
    ...(withheld ? [`the password was withheld from ${withheld} endpoint${withheld === 1 ? '' : 's'} outside the mailbox's domain and the platform (see evidence.credentials)`] : []),
  ];
  return withCertExpiry({
    status: 'pass',
    message: `Autodiscover answered with EWS at ${s.ewsUrl}${notes.length ? `; ${notes.join('; ')}` : ''}`,
    evidence: { ...evidence, ewsUrl: s.ewsUrl, ewsUrlMayReceivePassword: ews, ...(s.answer.kind === 'settings' ? { protocols: s.answer.protocols } : {}) },
  }, expiry);
}

function failure(attempts: Attempt[], credentials: CredentialDecision[], redirects: number): CheckOutcome {
  const evidence = { attempts, credentials };
  const withheld = credentials.filter((c) => !c.sent);
  if (withheld.length) {
    const first = withheld[0];
    const more = withheld.length > 1 ? ` (and ${withheld.length - 1} more endpoint${withheld.length > 2 ? 's' : ''}, see evidence.credentials)` : '';
    return {
      status: 'fail', code: 'AUTODISCOVER_UNTRUSTED_REDIRECT', evidence,
      message: `Autodiscover leads outside the mailbox's domain and the platform: ${first.url} asked for the password and it was withheld (${first.reason})${more}; no trusted endpoint answered with settings`,
    };
  }
  const answered = attempts.some((a) => a.status !== undefined);
  const tls = attempts.filter((a) => a.kind === 'tls');
  if (!answered && tls.length) {
    return { status: 'fail', code: 'TLS_INVALID', message: `Autodiscover endpoint certificate not valid (${tls[0].error} at ${tls[0].url}); no password was sent`, evidence };
  }
  const why = redirects > MAX_REDIRECTS ? `too many redirects (${redirects})` : answered ? 'no candidate answered with Exchange settings' : 'no candidate endpoint could be reached';
  return { status: 'fail', code: 'AUTODISCOVER_FAILED', message: `Autodiscover failed: ${why} (${attempts.length} attempts)`, evidence };
}

export const autodiscoverCheck: CheckDefinition = {
  id: 'autodiscover',
  after: ['account', 'srv', 'imap'],
  requires: [],
  usesPassword: true,
  timeoutMs: 30_000,
  run,
};
