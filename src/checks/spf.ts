// Mail sent from the mailbox is junked or refused when the domain's SPF does not let the platform's
// servers send for it, or when receivers cannot evaluate it (several records, bad syntax, more than
// 10 lookups, 10 MX names or 2 void lookups). The names the SPF must reach come from the provider's
// expected record (OVHcloud `expectedSPF`), else the profile; the provider's verdict is shown beside ours.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { parseSpf } from './dns-auth/spf-record.js';
import { missingIncludes, walkSpf } from './dns-auth/spf-walk.js';
import { providerVerdict } from './provider-verdict.js';

const ALL_MEANING = { '-': 'fail (others refused)', '~': 'softfail (others marked)', '?': 'neutral', '+': 'pass (anyone may send)', redirect: 'from the redirect' } as const;

/** The include:/redirect= names of the provider's expected record (what "authorised" means for it). */
export function requiredFromExpected(expectedSpf: string | undefined): string[] {
  if (!expectedSpf) return [];
  const p = parseSpf(expectedSpf);
  return p.terms.filter((t) => (t.name === 'include' || t.name === 'redirect') && t.value && !t.value.includes('%')).map((t) => t.value!);
}

const with_ = (message: string, note: string | undefined) => (note ? `${message}; ${note}` : message);

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const fromProvider = requiredFromExpected(ctx.facts.expectedSpf);
  const required = fromProvider.length ? fromProvider : withProviderServer(ctx.platform, ctx.facts.server).spf?.include ?? [];
  const dns = ctx.deps.net.dns;
  const walk = await walkSpf(ctx.domain, { txt: (n) => dns.txt(n), mx: (n) => dns.mx(n), addresses: (n) => dns.addresses(n) }, ctx.signal);
  const missing = walk.found === 'one' ? missingIncludes(walk, required) : [];
  const evidence = {
    name: ctx.domain, resolver: dns.servers.join(','), records: walk.records, required, missing,
    requiredFrom: fromProvider.length ? 'provider' : 'platform', ...(ctx.facts.expectedSpf ? { expected: ctx.facts.expectedSpf } : {}),
    all: walk.all ?? null, allMeaning: walk.all ? ALL_MEANING[walk.all] : 'none: neutral by default',
    lookups: walk.lookups, lookupLimit: walk.limit, voidLookups: walk.voidLookups, voidLimit: walk.voidLimit,
    chain: walk.chain, reached: walk.reached, targets: walk.targets,
    ...(walk.notFollowed.length ? { notFollowed: walk.notFollowed } : {}),
    problems: walk.problems,
  };
  if (walk.dnsError) {
    return { status: 'error', code: 'DNS_ERROR', message: `could not look up the SPF of ${ctx.domain}: ${walk.dnsError.type} ${walk.dnsError.name} failed (${walk.dnsError.error})`, evidence: { ...evidence, error: walk.dnsError } };
  }
  const reasons = [...walk.problems, ...missing.map((n) => `the platform's servers are not authorised: no include:${n}`)];
  const p = providerVerdict(ctx.facts.providerDns?.spf, walk.found === 'one' && reasons.length === 0, 'SPF record', 'spfIsValid');
  const withProvider = { ...evidence, ...(p ? { provider: p.evidence } : {}) };
  if (walk.found === 'none') {
    return { status: 'warn', code: 'SPF_MISSING', message: with_(`${ctx.domain} publishes no SPF record${required.length ? `; expected one including ${required.join(', ')}` : ''}`, p?.note), evidence: withProvider };
  }
  if (reasons.length) {
    return { status: 'warn', code: 'SPF_INVALID', message: with_(`SPF of ${ctx.domain}: ${reasons.join('; ')}`, p?.note), evidence: { ...withProvider, reasons } };
  }
  const authorised = required.length ? `authorises ${required.join(', ')}, ` : '';
  return { status: 'pass', message: with_(`SPF of ${ctx.domain} ${authorised}${walk.lookups}/${walk.limit} DNS lookups, all: ${walk.all ?? 'none'}`, p?.note), evidence: withProvider };
}

export const spfCheck: CheckDefinition = { id: 'spf', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
