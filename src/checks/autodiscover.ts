// The POX Autodiscover flow Outlook runs ([MS-OXDSCLI] §3.1.5): the domain's candidate URLs in
// order, the http redirect probe, the SRV record, then redirects. Credentials go only to an https
// endpoint whose certificate verified and that asked for Basic authentication.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { basicAuth, header, type HttpExchange } from '../net/http.js';
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
  | { kind: 'redirectUrl'; url: string }
  | { kind: 'authFailed'; url: string }
  | { kind: 'noPassword' }
  | { kind: 'next' };

export function candidateUrls(domain: string) {
  return [
    { candidate: 'domain', url: `https://${domain}${PATH}` },
    { candidate: 'autodiscover-host', url: `https://autodiscover.${domain}${PATH}` },
  ];
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const attempts: Attempt[] = [];
  let password: string | undefined;
  let passwordAsked = false;
  let email = ctx.account;
  let redirects = 0;

  const signal = () => AbortSignal.any([ctx.signal, AbortSignal.timeout(CANDIDATE_TIMEOUT_MS)]);
  const note = (candidate: string, res: HttpExchange, method: 'GET' | 'POST', auth: 'none' | 'basic', extra: Partial<Attempt> = {}) => {
    const a: Attempt = res.ok
      ? { candidate, url: res.url, method, auth, status: res.status, ms: res.ms, ...extra }
      : { candidate, url: res.url, method, auth, error: res.code, kind: res.kind, ms: res.ms, ...extra };
    attempts.push(a);
    return a;
  };

  /** POST the POX request to one https URL: anonymously first, then with Basic if asked for. */
  const tryUrl = async (candidate: string, url: string): Promise<Step> => {
    if (!url.startsWith('https://')) {
      attempts.push({ candidate, url, method: 'POST', auth: 'none', error: 'NOT_HTTPS', answer: 'refused: credentials are never sent over http', ms: 0 });
      return { kind: 'next' };
    }
    const body = poxRequest(email);
    let res = await ctx.deps.net.http.exchange(url, { method: 'POST', headers: HEADERS, body, signal: signal() });
    let auth: 'none' | 'basic' = 'none';
    if (res.ok && res.status === 401) {
      const schemes = offeredSchemes(parseWwwAuthenticate(res.headers['www-authenticate']));
      note(candidate, res, 'POST', 'none', { authSchemes: schemes });
      if (!schemes.includes('basic')) return { kind: 'next' };
      if (!passwordAsked) { password = await ctx.credentials.acquire('autodiscover'); passwordAsked = true; }
      if (password === undefined) return { kind: 'noPassword' };
      auth = 'basic';
      res = await ctx.deps.net.http.exchange(url, { method: 'POST', headers: { ...HEADERS, authorization: basicAuth(ctx.account, password) }, body, signal: signal() });
      if (res.ok && res.status === 401) {
        note(candidate, res, 'POST', auth, { answer: 'credentials rejected' });
        ctx.credentials.failed('autodiscover', 'autodiscover');
        return { kind: 'authFailed', url };
      }
    }
    if (!res.ok || res.status !== 200) { note(candidate, res, 'POST', auth); return { kind: 'next' }; }
    if (auth === 'basic') ctx.credentials.succeeded('autodiscover', 'autodiscover');
    const answer = parsePoxResponse(res.body);
    const summary = answer.kind === 'settings' ? `settings (${answer.protocols.map((p) => p.type).join(', ') || 'no protocol'})`
      : answer.kind === 'redirectAddr' ? `redirectAddr ${answer.address}` : answer.kind === 'redirectUrl' ? `redirectUrl ${answer.url}`
        : answer.kind === 'error' ? `error ${answer.errorCode ?? ''} ${answer.message ?? ''}`.trim() : `invalid: ${answer.reason}`;
    note(candidate, res, 'POST', auth, { answer: summary });
    if (answer.kind === 'settings' && answer.ewsUrl) return { kind: 'settings', url, ewsUrl: answer.ewsUrl, answer };
    if (answer.kind === 'redirectAddr') return { kind: 'redirectAddr', address: answer.address };
    if (answer.kind === 'redirectUrl') return { kind: 'redirectUrl', url: answer.url };
    return { kind: 'next' };
  };

  /** GET http://autodiscover.{domain}/… without credentials; only an https Location is followed. */
  const httpRedirect = async (domain: string): Promise<string | undefined> => {
    const url = `http://autodiscover.${domain}${PATH}`;
    const res = await ctx.deps.net.http.exchange(url, { signal: signal(), maxBodyBytes: 16 * 1024 });
    const loc = res.ok && res.status >= 300 && res.status < 400 ? header(res.headers, 'location')[0] : undefined;
    const target = loc ? new URL(loc, url).toString() : undefined;
    note('http-redirect', res, 'GET', 'none', target ? { answer: `redirect to ${target}${target.startsWith('https://') ? '' : ' (not https: ignored)'}` } : {});
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
      s = await tryUrl('redirectUrl', s.url);
    }
    if (s.kind === 'settings') {
      const evidence = { attempts, ewsUrl: s.ewsUrl, email, ...(s.answer.kind === 'settings' ? { protocols: s.answer.protocols } : {}) };
      return withCertExpiry({ status: 'pass', message: `Autodiscover answered with EWS at ${s.ewsUrl}`, evidence }, expiryOf(s.url));
    }
    if (s.kind === 'authFailed') {
      return withCertExpiry({ status: 'fail', code: 'AUTH_FAILED', message: 'Autodiscover rejected the credentials (HTTP 401 after Basic authentication)', evidence: { attempts } }, expiryOf(s.url));
    }
    if (s.kind === 'noPassword') return { status: 'skipped', message: 'skipped: a login already failed; the password is not tried again (lockout safety)', evidence: { attempts } };
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
      async () => { const target = await httpRedirect(domain); return target ? tryUrl('http-redirect', target) : { kind: 'next' }; },
      async () => {
        for (const url of await srvUrls(domain)) {
          const st = await tryUrl('srv', url);
          if (st.kind !== 'next') return st;
        }
        return { kind: 'next' };
      },
    ];
    for (const step of steps) {
      if (ctx.signal.aborted) return { status: 'error', code: 'CHECK_TIMEOUT', message: 'Autodiscover cancelled', evidence: { attempts } };
      const end = await settle(await step());
      if (end === 'restart') { restart = true; break; }
      if (end) return end;
      if (redirects > MAX_REDIRECTS) break;
    }
    if (!restart) break;
  }
  return failure(attempts, redirects);
}

function failure(attempts: Attempt[], redirects: number): CheckOutcome {
  const answered = attempts.some((a) => a.status !== undefined);
  const tls = attempts.filter((a) => a.kind === 'tls');
  if (!answered && tls.length) {
    return { status: 'fail', code: 'TLS_INVALID', message: `Autodiscover endpoint certificate not valid (${tls[0].error} at ${tls[0].url}); no password was sent`, evidence: { attempts } };
  }
  const why = redirects > MAX_REDIRECTS ? `too many redirects (${redirects})` : answered ? 'no candidate answered with Exchange settings' : 'no candidate endpoint could be reached';
  return { status: 'fail', code: 'AUTODISCOVER_FAILED', message: `Autodiscover failed: ${why} (${attempts.length} attempts)`, evidence: { attempts } };
}

export const autodiscoverCheck: CheckDefinition = {
  id: 'autodiscover',
  after: ['account', 'srv', 'imap'],
  requires: [],
  usesPassword: true,
  timeoutMs: 30_000,
  run,
};
