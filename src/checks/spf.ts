// Mail sent from the mailbox is junked or refused when the domain's SPF does not let the platform's
// servers send for it, or when receivers cannot evaluate it (several records, bad syntax, >10 lookups).
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { missingIncludes, walkSpf } from './dns-auth/spf-walk.js';

const ALL_MEANING = { '-': 'fail (others refused)', '~': 'softfail (others marked)', '?': 'neutral', '+': 'pass (anyone may send)', redirect: 'from the redirect' } as const;

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const required = withProviderServer(ctx.platform, ctx.facts.server).spf?.include ?? [];
  const walk = await walkSpf(ctx.domain, (name) => ctx.deps.net.dns.txt(name), ctx.signal);
  const missing = walk.found === 'one' ? missingIncludes(walk, required) : [];
  const evidence = {
    name: ctx.domain, resolver: ctx.deps.net.dns.servers.join(','), records: walk.records, required, missing,
    all: walk.all ?? null, allMeaning: walk.all ? ALL_MEANING[walk.all] : 'none: neutral by default',
    lookups: walk.lookups, lookupLimit: walk.limit, chain: walk.chain, reached: walk.reached,
    ...(walk.notFollowed.length ? { notFollowed: walk.notFollowed } : {}),
    problems: walk.problems,
  };
  if (walk.dnsError) {
    return { status: 'error', code: 'DNS_ERROR', message: `could not look up the SPF of ${ctx.domain}: TXT ${walk.dnsError.name} failed (${walk.dnsError.error})`, evidence: { ...evidence, error: walk.dnsError } };
  }
  if (walk.found === 'none') {
    return { status: 'warn', code: 'SPF_MISSING', message: `${ctx.domain} publishes no SPF record${required.length ? `; expected one including ${required.join(', ')}` : ''}`, evidence };
  }
  const reasons = [...walk.problems, ...missing.map((n) => `the platform's servers are not authorised: no include:${n}`)];
  if (reasons.length) {
    return { status: 'warn', code: 'SPF_INVALID', message: `SPF of ${ctx.domain}: ${reasons.join('; ')}`, evidence: { ...evidence, reasons } };
  }
  const authorised = required.length ? `authorises ${required.join(', ')}, ` : '';
  return { status: 'pass', message: `SPF of ${ctx.domain} ${authorised}${walk.lookups}/${walk.limit} DNS lookups, all: ${walk.all ?? 'none'}`, evidence };
}

export const spfCheck: CheckDefinition = { id: 'spf', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
