// Is the mailbox's domain registered and not expired? Asks RDAP (RFC 9083), the successor of whois,
// about the registrable domain: registries hold registered names only, so `user@eu.example.com`
// is judged by `example.com` and `user@example.co.uk` by `example.co.uk` (Public Suffix List).
import { domainToASCII } from 'node:url';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { registrableDomain } from '../platforms/registrable-domain.js';
import { baseUrlFor, parseRdapDomain, rdapDomainUrl, readBootstrap } from './http/rdap.js';

const DAY = 24 * 3600 * 1000;

/**
 * The name to ask the registry about, and why. ICANN section only: a PRIVATE-section suffix
 * (blogspot.com, duckdns.org) is no registry. A TLD the list does not know (the lab's `.test`)
 * falls under the list's default rule "*", so `eu.group.test` is asked as `group.test`.
 */
export function rdapQueryName(domain: string): { name: string; why: string; subdomain: boolean } {
  const d = domainToASCII(domain.toLowerCase().replace(/\.$/, '')) || domain.toLowerCase();
  const reg = registrableDomain(d, { icannOnly: true });
  if (!reg) return { name: d, why: 'no registrable domain under the Public Suffix List (a public suffix itself, or a single label): asked as is', subdomain: false };
  if (reg === d) return { name: d, why: 'the mailbox domain is itself the registered name (Public Suffix List)', subdomain: false };
  return { name: reg, subdomain: true, why: `${d} is a subdomain; registries hold registered names only, and ${reg} is the registrable domain (Public Suffix List, ICANN section)` };
}

async function rdapBase(ctx: CheckContext, name: string): Promise<{ base?: string; source: string; error?: string }> {
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
  const base = baseUrlFor(bootstrap, name);
  return base ? { base, source } : { source, error: `the bootstrap registry names no RDAP server for .${name.split('.').pop()}` };
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const asked = rdapQueryName(ctx.domain);
  const name = asked.name;
  const label = asked.subdomain ? `${name} (the registrable domain of ${ctx.domain})` : name;
  const { base, source, error } = await rdapBase(ctx, name);
  if (!base) return { status: 'error', code: 'RDAP_ERROR', message: error!, evidence: { domain: ctx.domain, asked: name, askedWhy: asked.why, bootstrap: source } };
  const url = rdapDomainUrl(base, name);
  const { last: res, chain } = await ctx.deps.net.http.follow(url, { signal: ctx.signal, headers: { accept: 'application/rdap+json, application/json' } });
  const evidence: Record<string, unknown> = { domain: ctx.domain, asked: name, askedWhy: asked.why, url, ...(chain.length > 1 ? { redirects: chain.slice(1) } : {}), ms: res.ms };
  if (!res.ok) {
    return { status: 'error', code: 'RDAP_ERROR', message: `RDAP server unreachable (${res.kind}: ${res.code})`, evidence: { ...evidence, error: res.code, kind: res.kind } };
  }
  evidence.status = res.status;
  if (res.status === 404) {
    return { status: 'fail', code: 'DOMAIN_NOT_REGISTERED', message: `the registry has no record of ${label} (RDAP 404)`, evidence };
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
    return { status: 'fail', code: 'DOMAIN_EXPIRED', message: `${label} expired on ${facts.expiration} (${days} day${days === 1 ? '' : 's'} ago)`, evidence: { ...evidence, holds: facts.holds } };
  }
  if (facts.holds.length) {
    // A held domain does not resolve, exactly as if it had expired: same code, the reason in evidence.
    return { status: 'fail', code: 'DOMAIN_EXPIRED', message: `${label} is registered but on hold (${facts.holds.join(', ')}): it does not resolve, like an expired domain`, evidence: { ...evidence, holds: facts.holds, expiredLike: true } };
  }
  const warnDays = ctx.deps.settings.domainExpiringDays;
  if (expiry !== undefined && expiry - now < warnDays * DAY) {
    const days = Math.max(0, Math.ceil((expiry - now) / DAY));
    return { status: 'warn', code: 'DOMAIN_EXPIRING', message: `${label} expires on ${facts.expiration}, in ${days} day${days === 1 ? '' : 's'}`, evidence: { ...evidence, daysLeft: days, warnDays } };
  }
  return {
    status: 'pass',
    message: expiry !== undefined ? `${label} is registered until ${facts.expiration}` : `${label} is registered (RDAP gives no expiry date)`,
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
