// Without a valid DMARC record, large mailbox providers file the domain's mail as spam or refuse it.
// A subdomain without its own record inherits its organizational domain's (RFC 7489 §6.6.3), up
// the tree as DMARCbis walks it, never above the registrable domain.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { registrableDomain } from '../platforms/registrable-domain.js';
import { isDmarcRecord, parseDmarc } from './dns-auth/dmarc-record.js';

/**
 * The domain, then its parents down to its organizational domain: the registrable domain by the
 * Public Suffix List (RFC 7489 §3.2), private section included, so `_dmarc.co.uk` or
 * `_dmarc.blogspot.com` never speaks for a customer's domain. At most 8 names (DMARCbis).
 */
export function dmarcCandidates(domain: string): string[] {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const org = registrableDomain(name);
  const labels = name.split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length && out.length < 8; i++) {
    const candidate = labels.slice(i).join('.');
    out.push(candidate);
    if (!org || candidate === org) break;
  }
  return out;
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const tried: Array<{ name: string; answer: string }> = [];
  for (const owner of dmarcCandidates(ctx.domain)) {
    const name = `_dmarc.${owner}`;
    const answer = await ctx.deps.net.dns.txt(name);
    const base = { name, domain: ctx.domain, resolver: answer.server, tried };
    if (!answer.ok && answer.kind === 'error') {
      return { status: 'error', code: 'DNS_ERROR', message: `could not look up ${name} (${answer.error})`, evidence: { ...base, error: answer.error } };
    }
    const records = answer.ok ? answer.records.filter(isDmarcRecord) : [];
    tried.push({ name, answer: answer.ok ? `${records.length} DMARC record(s)` : answer.kind });
    if (!records.length) continue;
    const inherited = owner !== ctx.domain.toLowerCase();
    if (records.length > 1) {
      return { status: 'warn', code: 'DMARC_INVALID', message: `${name} has ${records.length} DMARC records: receivers apply none of them`, evidence: { ...base, records, inherited, problems: ['several DMARC records'] } };
    }
    const d = parseDmarc(records[0]);
    // A subdomain gets the parent's sp= when there is one (RFC 7489 §6.6.3).
    const policy = inherited ? d.subdomainPolicy ?? d.policy : d.policy;
    const evidence = {
      ...base, record: records[0], inherited, policy: policy ?? null, domainPolicy: d.policy ?? null, subdomainPolicy: d.subdomainPolicy ?? null,
      pct: d.pct, rua: d.rua, ruf: d.ruf, adkim: d.adkim, aspf: d.aspf, problems: d.problems,
    };
    if (d.problems.length) return { status: 'warn', code: 'DMARC_INVALID', message: `DMARC of ${ctx.domain} (${name}): ${d.problems.join('; ')}`, evidence };
    const note = policy === 'none' ? ' (monitoring only: nothing is quarantined or rejected)' : '';
    return { status: 'pass', message: `DMARC of ${ctx.domain}: p=${policy}${d.pct < 100 ? ` on ${d.pct}%` : ''}${inherited ? ` (from ${name})` : ''}${note}`, evidence };
  }
  return { status: 'warn', code: 'DMARC_MISSING', message: `${ctx.domain} publishes no DMARC record (_dmarc.${ctx.domain})`, evidence: { name: `_dmarc.${ctx.domain}`, domain: ctx.domain, resolver: ctx.deps.net.dns.servers.join(','), tried } };
}

export const dmarcCheck: CheckDefinition = { id: 'dmarc', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
