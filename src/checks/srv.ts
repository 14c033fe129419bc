// Outlook finds the account's server through the _autodiscover._tcp SRV record; a wrong one breaks setup.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { compareSrv } from './mail/expected-records.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const name = `_autodiscover._tcp.${ctx.domain}`;
  const expected = withProviderServer(ctx.platform, ctx.facts.server).srv;
  const answer = await ctx.deps.net.dns.srv(name);
  const base = { name, expected, resolver: answer.server, ms: answer.ms };
  if (!answer.ok) {
    if (answer.kind === 'error') {
      return { status: 'error', code: 'DNS_ERROR', message: `could not look up ${name} (${answer.error})`, evidence: { ...base, error: answer.error } };
    }
    return { status: 'fail', code: 'SRV_MISSING', message: `${name} has no SRV record`, evidence: { ...base, answer: answer.kind } };
  }
  const cmp = compareSrv(answer.records, expected);
  const evidence = { ...base, records: answer.records, chosen: cmp.chosen, differences: cmp.differences };
  if (cmp.ok) return { status: 'pass', message: `${name} points to ${cmp.chosen.name}:${cmp.chosen.port}`, evidence };
  const what = cmp.differences.map((d) => `${d.field} ${d.actual} (expected ${d.expected})`).join(', ');
  return { status: 'fail', code: 'SRV_INVALID', message: `${name} is wrong: ${what}`, evidence };
}

export const srvCheck: CheckDefinition = { id: 'srv', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
