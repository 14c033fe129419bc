// The reputation of the addresses the platform sends mail from (profile data): each is looked up
// in the configured DNS blocklists (RFC 5782) and must have reverse DNS that resolves back to it
// (forward-confirmed rDNS), or large receivers refuse or junk the mail whatever the domain's
// own setup. DNS only: no connection is opened to these addresses.
import type { Code } from '../diagnostics/codes.js';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { reversedLabels } from '../net/dns.js';
import { readListing, sameAddress, zoneHealth, type ListingVerdict } from './reputation/dnsbl.js';

const MAX_PTR_NAMES = 5;

interface ZoneView { zone: string; usable: boolean; note?: string }
interface Listing { zone: string; codes: string[]; reason?: string }
interface AddressView {
  address: string;
  ptr: string[];
  rdns: 'confirmed' | 'missing' | 'unconfirmed' | 'unknown';
  /** The PTR name that resolves back to the address. */
  confirmedBy?: string;
  rdnsDetail?: string;
  listed: Listing[];
  /** Zones whose answer for this address we could not use (errors, refusals). */
  unanswered: Array<{ zone: string; why: string }>;
}

async function listing(ctx: CheckContext, name: string): Promise<ListingVerdict | 'error'> {
  const a = await ctx.deps.net.dns.forward(name, 4);
  if (a.ok) return readListing(a.records);
  return a.kind === 'error' ? 'error' : { listed: false };
}

async function zoneView(ctx: CheckContext, zone: string): Promise<ZoneView> {
  const [test, mustNot] = await Promise.all([listing(ctx, `2.0.0.127.${zone}`), listing(ctx, `1.0.0.127.${zone}`)]);
  return { zone, ...zoneHealth(test, mustNot) };
}

async function rdns(ctx: CheckContext, address: string, family: 4 | 6): Promise<Pick<AddressView, 'ptr' | 'rdns' | 'confirmedBy' | 'rdnsDetail'>> {
  const dns = ctx.deps.net.dns;
  const p = await dns.ptr(address);
  if (!p.ok) {
    return p.kind === 'error'
      ? { ptr: [], rdns: 'unknown', rdnsDetail: `the PTR lookup failed (${p.error})` }
      : { ptr: [], rdns: 'missing', rdnsDetail: `no PTR record (${p.kind})` };
  }
  const names = p.records.slice(0, MAX_PTR_NAMES);
  const forward = await Promise.all(names.map(async (n) => ({ name: n, answer: await dns.forward(n, family) })));
  const back = forward.find((f) => f.answer.ok && f.answer.records.some((r) => sameAddress(r, address)));
  if (back) return { ptr: p.records, rdns: 'confirmed', confirmedBy: back.name };
  if (forward.every((f) => !f.answer.ok && f.answer.kind === 'error')) return { ptr: p.records, rdns: 'unknown', rdnsDetail: 'the forward lookups of the PTR names failed' };
  const seen = forward.map((f) => `${f.name} → ${f.answer.ok ? f.answer.records.join(', ') : f.answer.kind}`).join('; ');
  return { ptr: p.records, rdns: 'unconfirmed', rdnsDetail: `no PTR name resolves back to ${address} (${seen})` };
}

async function addressView(ctx: CheckContext, address: string, zones: ZoneView[]): Promise<AddressView> {
  const rev = reversedLabels(address)!;
  const [names, answers] = await Promise.all([
    rdns(ctx, address, rev.family),
    Promise.all(zones.map(async (z) => ({ zone: z, verdict: await listing(ctx, `${rev.labels}.${z.zone}`) }))),
  ]);
  const listed: Listing[] = [];
  const unanswered: AddressView['unanswered'] = [];
  for (const { zone, verdict } of answers) {
    if (!zone.usable) { unanswered.push({ zone: zone.zone, why: zone.note ?? 'unusable' }); continue; }
    if (verdict === 'error') { unanswered.push({ zone: zone.zone, why: 'lookup failed' }); continue; }
    if (!verdict.listed) { if (verdict.refused) unanswered.push({ zone: zone.zone, why: verdict.refused }); continue; }
    const txt = await ctx.deps.net.dns.txt(`${rev.labels}.${zone.zone}`);
    listed.push({ zone: zone.zone, codes: verdict.codes, ...(txt.ok ? { reason: txt.records.join(' ').slice(0, 300) } : {}) });
  }
  return { address, ...names, listed, unanswered };
}

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const addresses = ctx.platform.outbound ?? [];
  const zones = ctx.deps.settings.dnsblZones ?? [];
  if (!addresses.length) {
    return { status: 'skipped', message: `not applicable: the platform profile "${ctx.platform.id}" lists no outbound addresses`, evidence: { platform: ctx.platform.id } };
  }
  // Zone health first (cached answers then serve every address); IPv4 test entries (RFC 5782 §5).
  const zoneViews = await Promise.all(zones.map((z) => zoneView(ctx, z)));
  const views = await Promise.all(addresses.map((a) => addressView(ctx, a, zoneViews)));
  const evidence = {
    platform: ctx.platform.id,
    resolver: ctx.deps.net.dns.servers.join(','),
    zones: zoneViews,
    addresses: views,
  };
  const findings: Array<{ code: Code; message: string }> = [];
  const listed = views.filter((v) => v.listed.length);
  if (listed.length) {
    findings.push({ code: 'OUTBOUND_IP_LISTED', message: listed.map((v) => `${v.address} is listed in ${v.listed.map((l) => `${l.zone} (${l.codes.join(', ')}${l.reason ? `: ${l.reason}` : ''})`).join(', ')}`).join('; ') });
  }
  const badRdns = views.filter((v) => v.rdns === 'missing' || v.rdns === 'unconfirmed');
  if (badRdns.length) findings.push({ code: 'OUTBOUND_RDNS_INVALID', message: badRdns.map((v) => `${v.address}: ${v.rdnsDetail}`).join('; ') });
  if (findings.length) {
    const [first, ...more] = findings;
    return { status: 'warn', code: first.code, message: more.length ? `${first.message} (and: ${more.map((f) => f.message).join('; ')})` : first.message, evidence: { ...evidence, ...(more.length ? { findings } : {}) } };
  }
  const unknown = views.filter((v) => v.rdns === 'unknown');
  if (unknown.length) return { status: 'error', code: 'DNS_ERROR', message: `could not check the reverse DNS of ${unknown.map((v) => v.address).join(', ')} (${unknown[0].rdnsDetail})`, evidence };
  const usable = zoneViews.filter((z) => z.usable).map((z) => z.zone);
  const unusable = zoneViews.filter((z) => !z.usable);
  const lists = zones.length
    ? `not listed in ${usable.length ? usable.join(', ') : 'any usable zone'}${unusable.length ? ` (not usable: ${unusable.map((z) => `${z.zone}: ${z.note}`).join('; ')})` : ''}`
    : 'no blocklist zone configured';
  return { status: 'pass', message: `${addresses.join(', ')}: reverse DNS confirmed (${views.map((v) => v.confirmedBy).join(', ')}); ${lists}`, evidence };
}

export const outboundCheck: CheckDefinition = { id: 'outbound', after: [], requires: [], usesPassword: false, timeoutMs: 15_000, run };
