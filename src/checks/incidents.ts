// Open incidents on the provider's status page for the mail platform: a failure seen elsewhere
// may simply be the provider's outage.
import type { CheckContext, CheckDefinition, CheckOutcome } from '../diagnostics/types.js';
import { parseUnresolved, relevantIncidents, unresolvedUrl } from './http/statuspage.js';

async function run(ctx: CheckContext): Promise<CheckOutcome> {
  const page = ctx.platform.statusPage;
  if (!page) return { status: 'skipped', message: `not applicable: the platform ${ctx.platform.id} has no status page`, evidence: { platform: ctx.platform.id } };
  const url = unresolvedUrl(page.url);
  const res = await ctx.deps.net.http.exchange(url, { signal: ctx.signal, headers: { accept: 'application/json' } });
  const evidence: Record<string, unknown> = { url, components: page.components, ms: res.ms };
  if (!res.ok) return { status: 'error', code: 'STATUS_PAGE_ERROR', message: `status page unreachable (${res.kind}: ${res.code})`, evidence: { ...evidence, error: res.code } };
  evidence.status = res.status;
  if (res.status !== 200) return { status: 'error', code: 'STATUS_PAGE_ERROR', message: `status page answered HTTP ${res.status}`, evidence };
  let all;
  try {
    all = parseUnresolved(JSON.parse(res.body));
  } catch {
    all = undefined;
  }
  if (!all) return { status: 'error', code: 'STATUS_PAGE_ERROR', message: 'status page answer is not a Statuspage incidents document', evidence };
  const open = relevantIncidents(all, page.components);
  evidence.unresolved = all.length;
  if (!open.length) {
    return { status: 'pass', message: all.length ? `no open incident touches ${page.components.join(', ')} (${all.length} elsewhere)` : 'no open incident', evidence };
  }
  const incidents = open.map((i) => ({ name: i.name, status: i.status, impact: i.impact, shortlink: i.shortlink, components: i.components, createdAt: i.createdAt, latestUpdate: i.latestUpdate }));
  const first = open[0];
  return {
    status: 'warn',
    code: 'INCIDENT_OPEN',
    message: `${open.length} open incident${open.length > 1 ? 's' : ''} on the platform: "${first.name}" (${first.status}, impact ${first.impact})`,
    evidence: { ...evidence, incidents },
  };
}

export const incidentsCheck: CheckDefinition = {
  id: 'incidents',
  after: [],
  requires: [],
  usesPassword: false,
  timeoutMs: 10_000,
  run,
};
