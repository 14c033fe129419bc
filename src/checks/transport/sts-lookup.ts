// Reads a domain's MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) publication the way a sending MTA
// does: the TXT records through our resolver, the policy over verified HTTPS with no redirect.
import type { CheckContext } from '../../diagnostics/types.js';
import { header } from '../../net/http.js';
import { parseStsPolicy, pickStsRecord, STS_POLICY_MAX_BYTES, type StsPolicy } from './mta-sts.js';
import { pickTlsRpt } from './tls-rpt.js';

export interface StsView {
  /** Whether the domain publishes an `_mta-sts` TXT record (a sender then fetches the policy). */
  published: boolean;
  name: string;
  record?: string | string[];
  id?: string;
  policyUrl?: string;
  /** HTTP status of the policy fetch, or the transport failure. */
  fetch?: { status?: number; contentType?: string; error?: string; kind?: string; ms: number };
  policy?: StsPolicy;
  /** Why senders would find no usable policy (empty when the policy is usable). */
  problems: string[];
  /** The TXT lookup itself failed (our side). */
  dnsError?: string;
  /** We could not fetch the policy for a reason of ours (egress policy, cancelled). */
  undetermined?: string;
}

export interface TlsRptView {
  published: boolean;
  name: string;
  record?: string | string[];
  rua?: string[];
  problems: string[];
  dnsError?: string;
}

const FETCH_TIMEOUT_MS = 8_000;

export async function lookupMtaSts(ctx: CheckContext): Promise<StsView> {
  const name = `_mta-sts.${ctx.domain}`;
  const answer = await ctx.deps.net.dns.txt(name);
  if (!answer.ok) {
    return answer.kind === 'error' ? { published: false, name, problems: [], dnsError: answer.error } : { published: false, name, problems: [] };
  }
  const picked = pickStsRecord(answer.records);
  if (picked.found === 'none') return { published: false, name, problems: [] };
  if (picked.found === 'several') {
    return { published: true, name, record: picked.records, problems: [`${name} holds ${picked.records.length} v=STSv1 records: senders use none of them (RFC 8461 §3.1)`] };
  }
  const view: StsView = { published: true, name, record: picked.record, problems: picked.problems.map((p) => `${name}: ${p}`) };
  if (picked.parsed) view.id = picked.parsed.id;
  // RFC 8461 §3.3: the policy host is mta-sts.<domain>, HTTPS with a valid certificate for it,
  // only a 200 counts and redirects are not followed.
  const url = `https://mta-sts.${ctx.domain}/.well-known/mta-sts.txt`;
  view.policyUrl = url;
  const res = await ctx.deps.net.http.exchange(url, { signal: ctx.signal, maxBodyBytes: STS_POLICY_MAX_BYTES, timeoutMs: FETCH_TIMEOUT_MS });
  if (!res.ok) {
    view.fetch = { error: res.code ?? res.message, kind: res.kind, ms: res.ms };
    // Our own refusal (egress policy) or cancellation says nothing of the domain.
    if (res.kind === 'forbidden' || res.kind === 'aborted') { view.undetermined = `the policy was not fetched (${res.code})`; return view; }
    view.problems.push(res.kind === 'tls'
      ? `the policy server mta-sts.${ctx.domain} has no valid certificate (${res.code ?? res.message}): senders ignore the policy`
      : `the policy ${url} could not be fetched (${res.code ?? res.message})`);
    return view;
  }
  const contentType = header(res.headers, 'content-type')[0];
  view.fetch = { status: res.status, ...(contentType ? { contentType } : {}), ms: res.ms };
  if (res.status >= 300 && res.status < 400) {
    view.problems.push(`the policy URL answers HTTP ${res.status} (a redirect${header(res.headers, 'location')[0] ? ` to ${header(res.headers, 'location')[0]}` : ''}): senders do not follow redirects (RFC 8461 §3.3)`);
    return view;
  }
  if (res.status !== 200) {
    view.problems.push(`the policy URL answers HTTP ${res.status}, not 200: senders find no policy`);
    return view;
  }
  if (res.truncated) {
    view.problems.push(`the policy is larger than ${STS_POLICY_MAX_BYTES} bytes`);
    return view;
  }
  const parsed = parseStsPolicy(res.body);
  if (parsed.policy) view.policy = parsed.policy;
  view.problems.push(...parsed.problems.map((p) => `policy: ${p}`));
  return view;
}

export async function lookupTlsRpt(ctx: CheckContext): Promise<TlsRptView> {
  const name = `_smtp._tls.${ctx.domain}`;
  const answer = await ctx.deps.net.dns.txt(name);
  if (!answer.ok) {
    return answer.kind === 'error' ? { published: false, name, problems: [], dnsError: answer.error } : { published: false, name, problems: [] };
  }
  const picked = pickTlsRpt(answer.records);
  if (picked.found === 'none') return { published: false, name, problems: [] };
  if (picked.found === 'several') {
    return { published: true, name, record: picked.records, problems: [`${name} holds ${picked.records.length} v=TLSRPTv1 records: senders send no report (RFC 8460 §3)`] };
  }
  return { published: true, name, record: picked.record, ...(picked.parsed ? { rua: picked.parsed.rua } : {}), problems: picked.problems.map((p) => `${name}: ${p}`) };
}
