// Is the mailbox's domain registered and not expired? Asks RDAP (RFC 9083), the successor of whois.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { baseUrlFor, parseRdapDomain, rdapDomainUrl, readBootstrap } from './http/rdap.js';

const DAY = 24 * 3600 * 1000;

async function rdapBase(ctx: CheckContext): Promise<{ base?: string; source: string; error?: string }> {
  const s = ctx.deps.settings;
  if (s.rdapBaseUrl) return { base: s.rdapBaseUrl, source: 'RDAP_BASE_URL' };
  const source = s.rdapBootstrapFile ?? s.rdapBootstrapUrl;
  if (!source) return { source: 'none', error: 'no RDAP server configured (RDAP_BASE_URL, RDAP_BOOTSTRAP_FILE or RDAP_BOOTSTRAP_URL)' };
  let bootstrap;
  try {
    bootstrap = s.rdapBootstrapFile
      ? await readBootstrap(s.rdapBootstrapFile)
      : ctx.deps.rdapBootstrap
        ? await ctx.deps.rdapBootstrap(source, ctx.signal)
        : undefined;
  } catch (err) {
    return { source, error: `cannot read the RDAP bootstrap registry: ${(err as Error).message}` };
  }
  if (!bootstrap) return { source, error: 'no RDAP bootstrap loader available' };
  const base = baseUrlFor(bootstrap, ctx.domain);
  return base ? { base, source } : { source, error: `the bootstrap registry names no RDAP server for .${ctx.domain.split('.').pop()}` };
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const { base, source, error } = await rdapBase(ctx);
  if (!base) return { status: 'error', code: 'RDAP_ERROR', message: error!, evidence: { domain: ctx.domain, bootstrap: source } };
  const url = rdapDomainUrl(base, ctx.domain);
  const { last: res, chain } = await ctx.deps.net.http.follow(url, { signal: ctx.signal, headers: { accept: 'application/rdap+json, application/json' } });
  const evidence: Record<string, unknown> = { domain: ctx.domain, url, ...(chain.length > 1 ? { redirects: chain.slice(1) } : {}), ms: res.ms };
  if (!res.ok) {
    return { status: 'error', code: 'RDAP_ERROR', message: `RDAP server unreachable (${res.kind}: ${res.code})`, evidence: { ...evidence, error: res.code, kind: res.kind } };
  }
  evidence.status = res.status;
  if (res.status === 404) {
    return { status: 'fail', code: 'DOMAIN_NOT_REGISTERED', message: `the registry has no record of ${ctx.domain} (RDAP 404)`, evidence };
  }
  if (res.status !== 200) {
    return { status: 'error', code: 'RDAP_ERROR', message: `RDAP server answered HTTP ${res.status}`, evidence };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(res.body);
  } catch {
    return { status: 'error', code: 'RDAP_ERROR', message: 'RDAP answer is not JSON', evidence };
  }
  const facts = parseRdapDomain(doc);
  Object.assign(evidence, { expiration: facts.expiration, registration: facts.registration, rdapStatus: facts.status });
  const now = ctx.deps.now();
  const expiry = facts.expiration ? Date.parse(facts.expiration) : undefined;
  if (expiry !== undefined && expiry < now) {
    const days = Math.floor((now - expiry) / DAY);
    return { status: 'fail', code: 'DOMAIN_EXPIRED', message: `${ctx.domain} expired on ${facts.expiration} (${days} day${days === 1 ? '' : 's'} ago)`, evidence: { ...evidence, holds: facts.holds } };
  }
  if (facts.holds.length) {
    // A held domain does not resolve, exactly as if it had expired: same code, the reason in evidence.
    return { status: 'fail', code: 'DOMAIN_EXPIRED', message: `${ctx.domain} is registered but on hold (${facts.holds.join(', ')}): it does not resolve, like an expired domain`, evidence: { ...evidence, holds: facts.holds, expiredLike: true } };
  }
  const warnDays = ctx.deps.settings.domainExpiringDays;
  if (expiry !== undefined && expiry - now < warnDays * DAY) {
    const days = Math.max(0, Math.ceil((expiry - now) / DAY));
    return { status: 'warn', code: 'DOMAIN_EXPIRING', message: `${ctx.domain} expires on ${facts.expiration}, in ${days} day${days === 1 ? '' : 's'}`, evidence: { ...evidence, daysLeft: days, warnDays } };
  }
  return {
    status: 'pass',
    message: expiry !== undefined ? `${ctx.domain} is registered until ${facts.expiration}` : `${ctx.domain} is registered (RDAP gives no expiry date)`,
    evidence,
  };
}

export const domainCheck: CheckDefinition = {
  id: 'domain',
  after: [],
  requires: [],
  usesPassword: false,
  timeoutMs: 15_000,
  run,
};
