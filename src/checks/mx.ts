// The domain's MX records must all point at hosts of the account's platform, or inbound mail goes elsewhere.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { compareMx, normaliseHost } from './mail/expected-records.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const expected = (ctx.facts.expectedMx?.length ? ctx.facts.expectedMx : withProviderServer(ctx.platform, ctx.facts.server).mx).map(normaliseHost);
  const expectedFrom = ctx.facts.expectedMx?.length ? 'provider' : 'platform';
  const answer = await ctx.deps.net.dns.mx(ctx.domain);
  const base = { name: ctx.domain, expected, expectedFrom, resolver: answer.server, ms: answer.ms };
  if (!answer.ok) {
    if (answer.kind === 'error') {
      return { status: 'error', code: 'DNS_ERROR', message: `could not look up the MX records of ${ctx.domain} (${answer.error})`, evidence: { ...base, error: answer.error } };
    }
    return { status: 'fail', code: 'MX_MISSING', message: `${ctx.domain} has no MX record (${answer.kind === 'nxdomain' ? 'the name does not exist' : 'no MX in the zone'})`, evidence: { ...base, answer: answer.kind } };
  }
  const records = [...answer.records].sort((a, b) => a.priority - b.priority);
  const cmp = compareMx(records, expected);
  const evidence = { ...base, records, unexpected: cmp.unexpected, nullMx: cmp.nullMx };
  if (cmp.ok) return { status: 'pass', message: `MX of ${ctx.domain}: ${records.map((r) => r.exchange).join(', ')}`, evidence };
  return {
    status: 'fail', code: 'MX_INVALID',
    message: cmp.nullMx ? `${ctx.domain} publishes a null MX: it refuses all mail` : `MX of ${ctx.domain} points to ${cmp.unexpected.join(', ')}, not to ${expected.join(', ')}`,
    evidence,
  };
}

export const mxCheck: CheckDefinition = { id: 'mx', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
