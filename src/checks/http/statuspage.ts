// Statuspage API v2 (`/incidents/unresolved.json`): the open incidents that touch the components
// a platform profile watches.
export interface OpenIncident {
  name: string;
  status: string;
  impact: string;
  shortlink?: string;
  createdAt?: string;
  components: string[];
  latestUpdate?: string;
}

interface RawIncident {
  name?: unknown; status?: unknown; impact?: unknown; shortlink?: unknown; created_at?: unknown;
  components?: Array<{ name?: unknown }>;
  incident_updates?: Array<{ body?: unknown }>;
}

export function parseUnresolved(doc: unknown): OpenIncident[] | undefined {
  const incidents = (doc as { incidents?: unknown } | null)?.incidents;
  if (!Array.isArray(incidents)) return undefined;
  return (incidents as RawIncident[]).map((i) => ({
    name: String(i.name ?? ''),
    status: String(i.status ?? ''),
    impact: String(i.impact ?? 'none'),
    shortlink: typeof i.shortlink === 'string' ? i.shortlink : undefined,
    createdAt: typeof i.created_at === 'string' ? i.created_at : undefined,
    components: Array.isArray(i.components) ? i.components.map((c) => String(c?.name ?? '')).filter(Boolean) : [],
    latestUpdate: typeof i.incident_updates?.[0]?.body === 'string' ? (i.incident_updates[0].body as string).slice(0, 500) : undefined,
  }));
}

/**
 * Incidents touching one of `watched` (case-insensitive names). An empty watch list means every
 * incident matters. An incident that lists no component counts when its title names a watched one
 * (status pages often open an incident before tagging components).
 */
export function relevantIncidents(incidents: OpenIncident[], watched: string[]): OpenIncident[] {
  const resolved = new Set(['resolved', 'completed', 'postmortem']);
  const open = incidents.filter((i) => !resolved.has(i.status.toLowerCase()));
  if (!watched.length) return open;
  const w = new Set(watched.map((x) => x.toLowerCase()));
  return open.filter((i) => (i.components.length
    ? i.components.some((c) => w.has(c.toLowerCase()))
    : [...w].some((name) => i.name.toLowerCase().includes(name))));
}

export const unresolvedUrl = (base: string) => `${base.replace(/\/+$/, '')}/incidents/unresolved.json`;
