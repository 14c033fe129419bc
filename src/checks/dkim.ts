// DKIM of the domain: whether the provider signs its mail (OVHcloud `dkimDiagnostics`) and with
// which selectors, and the keys those selectors publish in DNS. Mail signed with a key that is not
// published, or a key that is published but never used, both leave the mail unsigned at recipients.
// Selectors come from the provider when it names them, else from the platform profile.
import type { Code } from '../diagnostics/codes.js';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import type { ProviderDkim } from '../providers/provider.js';
import { parseDkimKey, type DkimKey } from './mail/dkim-record.js';

const MAX_SELECTORS = 10;

export interface SelectorView {
  selector: string;
  name: string;
  /** What DNS holds at the name. */
  found: 'key' | 'none' | 'several' | 'error';
  record?: string | string[];
  key?: DkimKey;
  /** The provider's status for this selector (e.g. OVHcloud inProduction). */
  providerStatus?: string;
  error?: string;
}

interface Finding { code: Code; message: string }

/** Whether the provider signs: true, false, or undefined when it does not say. */
export function providerSigns(p: ProviderDkim | undefined): boolean | undefined {
  if (!p?.state) return undefined;
  if (p.state === 'active') return true;
  if (p.state === 'disabled' || p.state === 'toConfigure') return false;
  return undefined;
}

const usable = (s: SelectorView) => s.found === 'key' && !!s.key && s.key.problems.length === 0;

/** Findings, most serious first. Pure: the selectors as looked up, and what the provider says. */
export function judgeDkim(domain: string, provider: ProviderDkim | undefined, selectors: SelectorView[]): Finding[] {
  const out: Finding[] = [];
  const signs = providerSigns(provider);
  // The selectors the provider signs with now, when it says; else any of them may be.
  const inUse = selectors.some((s) => s.providerStatus) ? selectors.filter((s) => s.providerStatus === 'inProduction') : selectors;
  if (signs === true && selectors.length && !inUse.some(usable)) {
    const where = inUse.map((s) => `${s.name} (${s.found === 'key' ? s.key!.problems[0] : s.found === 'none' ? 'no record' : s.found})`).join(', ');
    out.push({ code: 'DKIM_NOT_PUBLISHED', message: `the provider signs mail of ${domain} with DKIM but no usable key is published for it: ${where || 'no selector'}; signatures fail at recipients` });
  }
  if (provider?.state === 'error') {
    out.push({ code: 'DKIM_INVALID', message: `the provider reports the DKIM of ${domain} in error${provider.message ? `: ${provider.message}` : ''}${provider.errorCode != null ? ` (code ${provider.errorCode})` : ''}` });
  }
  const broken = selectors.filter((s) => s.found === 'several' || (s.found === 'key' && s.key!.problems.length));
  if (broken.length) {
    out.push({ code: 'DKIM_INVALID', message: broken.map((s) => `${s.name}: ${s.found === 'several' ? 'several TXT records, verifiers may use any of them' : s.key!.problems.join(', ')}`).join('; ') });
  }
  const weak = selectors.filter((s) => usable(s) && s.key!.weak);
  if (weak.length) out.push({ code: 'DKIM_WEAK_KEY', message: weak.map((s) => `${s.name}: RSA ${s.key!.bits} bits, under 2048 (RFC 8301)`).join('; ') });
  const published = selectors.filter(usable);
  if (signs === false && published.length) {
    out.push({ code: 'DKIM_NOT_ENABLED', message: `a DKIM key is published (${published.map((s) => s.name).join(', ')}) but the provider does not sign mail of ${domain} (DKIM ${provider!.state}): mail leaves unsigned` });
  }
  return out;
}

async function lookup(ctx: CheckContext, selector: string, providerStatus?: string): Promise<SelectorView> {
  const name = `${selector}._domainkey.${ctx.domain}`;
  const base = { selector, name, ...(providerStatus ? { providerStatus } : {}) };
  const answer = await ctx.deps.net.dns.txt(name);
  if (!answer.ok) return answer.kind === 'error' ? { ...base, found: 'error', error: answer.error } : { ...base, found: 'none' };
  // A TXT at the name that is not a key record (no p= tag) is still judged: it is where verifiers look.
  if (answer.records.length > 1) return { ...base, found: 'several', record: answer.records };
  return { ...base, found: 'key', record: answer.records[0], key: parseDkimKey(answer.records[0]) };
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const provider = ctx.facts.providerDkim;
  const fromProvider = provider?.selectors?.filter((s) => s.name) ?? [];
  const profile = ctx.platform.dkim?.selectors ?? [];
  const source = fromProvider.length ? 'provider' : profile.length ? 'platform' : 'none';
  const wanted = (fromProvider.length ? fromProvider : profile.map((name) => ({ name, status: undefined }))).slice(0, MAX_SELECTORS);
  if (!provider?.state && !wanted.length) {
    return { status: 'skipped', message: 'not applicable: neither the provider nor the platform profile names DKIM selectors', evidence: { domain: ctx.domain } };
  }
  const selectors = await Promise.all(wanted.map((s) => lookup(ctx, s.name.toLowerCase(), s.status)));
  const findings = judgeDkim(ctx.domain, provider, selectors);
  const evidence = {
    domain: ctx.domain,
    provider: provider ? { state: provider.state ?? null, errorCode: provider.errorCode ?? null, message: provider.message ?? null, signs: providerSigns(provider) ?? null } : null,
    selectorsFrom: source,
    selectors: selectors.map((s) => ({
      selector: s.selector, name: s.name, found: s.found, ...(s.providerStatus ? { providerStatus: s.providerStatus } : {}),
      ...(s.record ? { record: s.record } : {}), ...(s.error ? { error: s.error } : {}),
      ...(s.key ? { keyType: s.key.keyType, bits: s.key.bits ?? null, testing: s.key.testing, revoked: s.key.revoked, problems: s.key.problems } : {}),
    })),
    resolver: ctx.deps.net.dns.servers.join(','),
    ...(findings.length > 1 ? { findings } : {}),
  };
  const [first] = findings;
  if (first) return { status: 'warn', code: first.code, message: findings.length > 1 ? `${first.message} (and ${findings.length - 1} more finding${findings.length > 2 ? 's' : ''})` : first.message, evidence };
  const dnsError = selectors.find((s) => s.found === 'error');
  if (dnsError) return { status: 'error', code: 'DNS_ERROR', message: `could not look up ${dnsError.name} (${dnsError.error})`, evidence };
  const keys = selectors.filter(usable);
  const signs = providerSigns(provider);
  const said = provider?.state ? `the provider reports DKIM ${provider.state}` : 'the provider does not say whether it signs';
  if (keys.length) {
    const words = keys.map((s) => `${s.selector} (${s.key!.keyType}${s.key!.bits ? ` ${s.key!.bits} bits` : ''}${s.key!.testing ? ', test mode' : ''})`).join(', ');
    return { status: 'pass', message: `DKIM keys of ${ctx.domain}: ${words}; ${said}`, evidence };
  }
  const looked = selectors.length ? `no DKIM key at ${selectors.map((s) => s.selector).join(', ')}` : 'no selector to look up';
  return {
    status: 'pass',
    message: signs === false
      ? `the provider does not DKIM-sign mail of ${ctx.domain} (DKIM ${provider!.state}) and ${looked}: mail is authenticated by SPF alone`
      : `${looked}; ${said}`,
    evidence,
  };
}

export const dkimCheck: CheckDefinition = { id: 'dkim', after: ['account'], requires: [], usesPassword: false, timeoutMs: 10_000, run };
