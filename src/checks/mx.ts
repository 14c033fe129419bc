// The domain's MX records must all point at hosts of the account's platform, or inbound mail goes
// elsewhere. The expected hosts are the provider's (OVHcloud `expectedMX`), else the profile's;
// what DNS holds is looked up here, and the provider's own verdict is shown beside ours.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { withProviderServer } from '../platforms/profile.js';
import { compareMx, normaliseHost } from './mail/expected-records.js';
import { providerVerdict } from './provider-verdict.js';

const with_ = (message: string, note: string | undefined) => (note ? `${message}; ${note}` : message);

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const fromProvider = !!ctx.facts.expectedMx?.length;
  const expected = (fromProvider ? ctx.facts.expectedMx! : withProviderServer(ctx.platform, ctx.facts.server).mx).map(normaliseHost);
  const answer = await ctx.deps.net.dns.mx(ctx.domain);
  const base = { name: ctx.domain, expected, expectedFrom: fromProvider ? 'provider' : 'platform', resolver: answer.server, ms: answer.ms };
  const verdict = (ours: boolean) => providerVerdict(ctx.facts.providerDns?.mx, ours, 'MX', 'mxIsValid');
  if (!answer.ok) {
    if (answer.kind === 'error') {
      return { status: 'error', code: 'DNS_ERROR', message: `could not look up the MX records of ${ctx.domain} (${answer.error})`, evidence: { ...base, error: answer.error } };
    }
    const p = verdict(false);
    return {
      status: 'fail', code: 'MX_MISSING',
      message: with_(`${ctx.domain} has no MX record (${answer.kind === 'nxdomain' ? 'the name does not exist' : 'no MX in the zone'})`, p?.note),
      evidence: { ...base, answer: answer.kind, ...(p ? { provider: p.evidence } : {}) },
    };
  }
  const records = [...answer.records].sort((a, b) => a.priority - b.priority);
  const cmp = compareMx(records, expected);
  const p = verdict(cmp.ok);
  const evidence = { ...base, records, unexpected: cmp.unexpected, nullMx: cmp.nullMx, ...(p ? { provider: p.evidence } : {}) };
  if (cmp.ok) return { status: 'pass', message: with_(`MX of ${ctx.domain}: ${records.map((r) => r.exchange).join(', ')}`, p?.note), evidence };
  return {
    status: 'fail', code: 'MX_INVALID',
    message: with_(cmp.nullMx ? `${ctx.domain} publishes a null MX: it refuses all mail` : `MX of ${ctx.domain} points to ${cmp.unexpected.join(', ')}, not to ${expected.join(', ')}`, p?.note),
    evidence,
  };
}

export const mxCheck: CheckDefinition = { id: 'mx', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
