// Inbound TLS as the internet's senders meet it: STARTTLS and a valid certificate on each MX
// (the first few by preference), the domain's MTA-STS policy (RFC 8461) and TLS-RPT record
// (RFC 8460). A policy in enforce mode that no MX passes turns away every sender that honours it
// (Gmail, Outlook.com, …): mail from them is not received although our own probe gets through.
import type { Code } from '../diagnostics/codes.js';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { normaliseHost } from './mail/expected-records.js';
import { mxMatches } from './transport/mta-sts.js';
import { inspectMxHost, tlsAcceptable, type HostTls } from './transport/mx-host-tls.js';
import { lookupMtaSts, lookupTlsRpt, type StsView } from './transport/sts-lookup.js';

/** MX hosts whose TLS is inspected (by preference); the others are only matched against the policy. */
export const MX_TLS_MAX_HOSTS = 5;
const HOST_TIMEOUT_MS = 8_000;

interface Finding { code: Code; message: string }

type HostView = HostTls & { policy?: string };

const list = (hosts: Array<{ host: string }>) => hosts.map((h) => h.host).join(', ');

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const answer = await ctx.deps.net.dns.mx(ctx.domain);
  const base = { domain: ctx.domain, port: ctx.deps.settings.mxPort, resolver: answer.server };
  if (!answer.ok) {
    if (answer.kind === 'error') return { status: 'error', code: 'DNS_ERROR', message: `could not look up the MX records of ${ctx.domain} (${answer.error})`, evidence: { ...base, error: answer.error } };
    return { status: 'skipped', message: `skipped: ${ctx.domain} has no MX record, so no inbound TLS to look at`, evidence: { ...base, answer: answer.kind } };
  }
  const records = [...answer.records].sort((a, b) => a.priority - b.priority);
  const hosts = [...new Map(records.filter((r) => normaliseHost(r.exchange) !== '').map((r) => [normaliseHost(r.exchange), r.priority])).entries()]
    .map(([host, priority]) => ({ host, priority }));
  if (!hosts.length) return { status: 'skipped', message: `skipped: ${ctx.domain} publishes a null MX (it accepts no mail)`, evidence: { ...base, records } };
  const checked = hosts.slice(0, MX_TLS_MAX_HOSTS);
  const budget = Math.max(500, Math.min(HOST_TIMEOUT_MS, ctx.deadline - ctx.deps.now() - 500));
  const [tls, sts, rpt] = await Promise.all([
    Promise.all(checked.map((h) => inspectMxHost(ctx, h.host, h.priority, budget))),
    lookupMtaSts(ctx),
    lookupTlsRpt(ctx),
  ]);

  // RFC 8461 §5: a policy with problems is no policy to a sender; mode none asks for nothing.
  const policy = sts.published && !sts.problems.length && sts.policy?.mode !== 'none' ? sts.policy : undefined;
  const views: HostView[] = tls.map((h) => {
    if (!policy) return h;
    const m = mxMatches(h.host, policy.mx);
    return { ...h, policy: m ? `matches ${m}` : 'not listed in the policy' };
  });
  const findings = judge(ctx.domain, views, hosts.slice(MX_TLS_MAX_HOSTS).map((h) => h.host), sts, policy);
  findings.push(...rpt.problems.map((p): Finding => ({ code: 'TLSRPT_INVALID', message: p })));

  const evidence = {
    ...base,
    hosts: views.map(hostEvidence),
    ...(hosts.length > checked.length ? { notInspected: hosts.slice(checked.length).map((h) => h.host) } : {}),
    mtaSts: stsEvidence(sts),
    tlsRpt: rpt.published ? { name: rpt.name, record: rpt.record, rua: rpt.rua ?? null, problems: rpt.problems } : { name: rpt.name, published: false, ...(rpt.dnsError ? { dnsError: rpt.dnsError } : {}) },
    ...(findings.length > 1 ? { findings } : {}),
  };
  const first = findings[0];
  if (first) {
    const others = findings.length > 1 ? ` (and ${findings.length - 1} more finding${findings.length > 2 ? 's' : ''})` : '';
    return { status: first.code === 'MTA_STS_BLOCKS_MAIL' ? 'fail' : 'warn', code: first.code, message: `${first.message}${others}`, evidence };
  }
  const dnsError = sts.dnsError ?? rpt.dnsError;
  if (dnsError) return { status: 'error', code: 'DNS_ERROR', message: `could not look up the MTA-STS or TLS-RPT record of ${ctx.domain} (${dnsError})`, evidence };
  const judged = views.filter((h) => h.outcome !== 'unreachable');
  if (!judged.length) {
    return { status: 'skipped', message: `skipped: no MX host of ${ctx.domain} could be reached to look at its TLS (${views.map((h) => `${h.host}: ${h.error}`).join('; ')})`, evidence };
  }
  const protocols = [...new Set(judged.map((h) => h.protocol).filter(Boolean))].join(', ');
  const stsWords = policy ? `MTA-STS ${policy.mode} (max_age ${policy.maxAge} s)`
    : sts.undetermined ? `MTA-STS published, ${sts.undetermined}`
    : sts.published && sts.policy?.mode === 'none' ? 'MTA-STS mode none' : 'no MTA-STS policy';
  return {
    status: 'pass',
    message: `STARTTLS with a valid certificate on ${list(judged)}${protocols ? ` (${protocols})` : ''}; ${stsWords}; ${rpt.published ? 'TLS-RPT published' : 'no TLS-RPT'}`,
    evidence,
  };
}

/** Findings, most serious first: mail turned away, broken TLS, no TLS, policy problems, expiry. */
function judge(domain: string, views: HostView[], uninspected: string[], sts: StsView, policy: StsView['policy']): Finding[] {
  const out: Finding[] = [];
  const enforce = policy?.mode === 'enforce';
  if (policy) {
    // RFC 8461 §5.1: a sender delivers only to an MX that matches the policy and passes TLS validation (§4).
    const refused = views.filter((h) => h.policy === 'not listed in the policy' || (h.outcome !== 'unreachable' && !tlsAcceptable(h)));
    const othersMayPass = uninspected.some((h) => mxMatches(h, policy.mx));
    if (enforce && refused.length === views.length && !othersMayPass) {
      const why = refused.map((h) => `${h.host}: ${h.policy === 'not listed in the policy' ? 'not listed in the policy' : h.problems[0] ?? h.outcome}`).join('; ');
      out.push({ code: 'MTA_STS_BLOCKS_MAIL', message: `the MTA-STS policy of ${domain} is in enforce mode and no MX passes it (${why}): senders that honour MTA-STS do not deliver to ${domain}` });
    }
    const unlisted = views.filter((h) => h.policy === 'not listed in the policy');
    if (unlisted.length && !out.length) {
      out.push({ code: 'MTA_STS_INVALID', message: `the MTA-STS policy of ${domain} (${policy.mode}) does not list ${list(unlisted)} (it lists ${policy.mx.join(', ')}): senders that honour it ${enforce ? 'skip' : 'report'} ${unlisted.length > 1 ? 'these MX' : 'this MX'}` });
    }
  }
  const broken = views.filter((h) => h.outcome === 'handshake-failed' || (h.outcome === 'tls' && h.problems.length));
  if (broken.length) {
    const consequence = enforce ? '; the enforce policy makes senders that honour it skip it' : '';
    out.push({ code: 'MX_TLS_INVALID', message: `${broken.flatMap((h) => h.problems).join('; ')}${consequence}` });
  }
  const plain = views.filter((h) => h.outcome === 'no-starttls');
  if (plain.length) out.push({ code: 'MX_STARTTLS_MISSING', message: plain.flatMap((h) => h.problems).join('; ') });
  if (sts.published && sts.problems.length) {
    out.push({ code: 'MTA_STS_INVALID', message: `MTA-STS of ${domain} is published but unusable, senders ignore it: ${sts.problems.join('; ')}` });
  }
  for (const h of views) {
    if (h.expiring) out.push({ code: 'TLS_EXPIRING', message: `the certificate of the MX ${h.host} expires on ${h.expiring.notAfter.slice(0, 10)}, in ${h.expiring.daysLeft} day${h.expiring.daysLeft === 1 ? '' : 's'}` });
  }
  return out;
}

function hostEvidence(h: HostView) {
  return {
    host: h.host, priority: h.priority, address: h.address ?? null, outcome: h.outcome,
    ...(h.outcome === 'tls' ? { valid: h.valid, protocol: h.protocol, ...(h.certError ? { certError: h.certError } : {}), cert: h.cert ?? null } : {}),
    ...(h.error ? { error: h.error } : {}),
    ...(h.policy ? { policy: h.policy } : {}),
    ...(h.expiring ? { expiring: h.expiring } : {}),
    ...(h.shared ? { shared: true } : {}),
    problems: h.problems,
  };
}

function stsEvidence(s: StsView) {
  if (!s.published) return { name: s.name, published: false, ...(s.dnsError ? { dnsError: s.dnsError } : {}) };
  return {
    name: s.name, record: s.record, id: s.id ?? null, policyUrl: s.policyUrl ?? null, fetch: s.fetch ?? null,
    policy: s.policy ?? null, problems: s.problems, ...(s.undetermined ? { undetermined: s.undetermined } : {}),
  };
}

export const mxTlsCheck: CheckDefinition = {
  id: 'mx-tls',
  after: ['mx'],
  requires: [],
  usesPassword: false,
  timeoutMs: 20_000,
  // No MX at all: nothing to look at (an MX pointing elsewhere is still what senders meet, so it runs).
  shouldSkip: (ctx) => {
    const mx = ctx.results.mx;
    return mx?.code === 'MX_MISSING' ? { check: 'mx', code: 'MX_MISSING', message: 'skipped: the domain has no MX record' } : undefined;
  },
  run,
};
