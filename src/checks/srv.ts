// Outlook finds the account's server through the _autodiscover._tcp SRV record; a wrong one breaks
// setup. The expected record is the provider's (OVHcloud `expectedAutodiscoverSRV`) unless the
// request names the server, else the profile's; the provider's own verdict is shown beside ours.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { compareSrv } from './mail/expected-records.js';
import { providerVerdict } from './provider-verdict.js';

const with_ = (message: string, note: string | undefined) => (note ? `${message}; ${note}` : message);

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const name = `_autodiscover._tcp.${ctx.domain}`;
  // A server named in the request is the caller's explicit choice for this run; otherwise the
  // provider's expected record wins over the profile.
  const fromProvider = !!ctx.facts.expectedSrv && ctx.platform.serverSource !== 'request';
  const expected = fromProvider ? ctx.facts.expectedSrv! : withProviderServer(ctx.platform, ctx.facts.server).srv;
  const answer = await ctx.deps.net.dns.srv(name);
  const base = { name, expected, expectedFrom: fromProvider ? 'provider' : ctx.platform.serverSource === 'request' ? 'request' : 'platform', resolver: answer.server, ms: answer.ms };
  const verdict = (ours: boolean) => providerVerdict(ctx.facts.providerDns?.srv, ours, 'Autodiscover SRV record', 'srvIsValid');
  if (!answer.ok) {
    if (answer.kind === 'error') {
      return { status: 'error', code: 'DNS_ERROR', message: `could not look up ${name} (${answer.error})`, evidence: { ...base, error: answer.error } };
    }
    const p = verdict(false);
    return { status: 'fail', code: 'SRV_MISSING', message: with_(`${name} has no SRV record`, p?.note), evidence: { ...base, answer: answer.kind, ...(p ? { provider: p.evidence } : {}) } };
  }
  const cmp = compareSrv(answer.records, expected);
  const p = verdict(cmp.ok);
  const evidence = { ...base, records: answer.records, chosen: cmp.chosen, differences: cmp.differences, ...(p ? { provider: p.evidence } : {}) };
  if (cmp.ok) return { status: 'pass', message: with_(`${name} points to ${cmp.chosen.name}:${cmp.chosen.port}`, p?.note), evidence };
  const what = cmp.differences.map((d) => `${d.field} ${d.actual} (expected ${d.expected})`).join(', ');
  return { status: 'fail', code: 'SRV_INVALID', message: with_(`${name} is wrong: ${what}`, p?.note), evidence };
}

export const srvCheck: CheckDefinition = { id: 'srv', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
