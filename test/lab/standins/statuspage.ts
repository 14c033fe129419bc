// Atlassian Statuspage API v2 stand-in (status.lab.test): /api/v2 is a quiet page, /incident/api/v2
// the same page with one unresolved major incident on the lab's Exchange component.
import { STATUS } from '../scenarios.js';
import { sendJson, type Site } from './http-util.js';

const PAGE_ID = 'lab0status0001';
const minutes = (n: number) => n * 60_000;

interface Component {
  id: string; name: string; status: string; created_at: string; updated_at: string; position: number;
  description: string | null; showcase: boolean; start_date: string | null; group_id: string | null;
  page_id: string; group: boolean; only_show_if_degraded: boolean;
}

function components(t0: number, exchangeStatus: string): Component[] {
  const at = new Date(t0 - minutes(60 * 24 * 300)).toISOString();
  const c = (id: string, name: string, position: number, status = 'operational'): Component => ({
    id, name, status, created_at: at, updated_at: status === 'operational' ? at : new Date(t0 - minutes(25)).toISOString(), position,
    description: null, showcase: true, start_date: at.slice(0, 10), group_id: null, page_id: PAGE_ID, group: false, only_show_if_degraded: false,
  });
  return [c('labcomp0exch', STATUS.component, 1, exchangeStatus), c('labcomp0webm', 'Webmail', 2), c('labcomp0host', 'Web Hosting', 3)];
}

function incidents(t0: number, comps: Component[]) {
  const iso = (agoMin: number) => new Date(t0 - minutes(agoMin)).toISOString();
  const exchange = comps[0];
  const hosting = comps[2];
  const open = {
    id: 'labinc0open1', name: STATUS.incident.name, status: 'investigating', created_at: iso(25), updated_at: iso(10),
    monitoring_at: null, resolved_at: null, impact: 'major', shortlink: STATUS.incident.shortlink, started_at: iso(25), page_id: PAGE_ID,
    incident_updates: [
      { id: 'labupd0open2', status: 'investigating', body: 'IMAP logins fail for part of the accounts. We are investigating.', incident_id: 'labinc0open1', created_at: iso(10), updated_at: iso(10), display_at: iso(10), affected_components: [{ code: exchange.id, name: exchange.name, old_status: 'degraded_performance', new_status: 'partial_outage' }], deliver_notifications: true, custom_tweet: null, tweet_id: null },
      { id: 'labupd0open1', status: 'investigating', body: 'We are looking into slow IMAP responses.', incident_id: 'labinc0open1', created_at: iso(25), updated_at: iso(25), display_at: iso(25), affected_components: [{ code: exchange.id, name: exchange.name, old_status: 'operational', new_status: 'degraded_performance' }], deliver_notifications: true, custom_tweet: null, tweet_id: null },
    ],
    components: [exchange],
  };
  const resolved = {
    id: 'labinc0done1', name: 'Web Hosting: FTP slowness', status: 'resolved', created_at: iso(60 * 72), updated_at: iso(60 * 70),
    monitoring_at: iso(60 * 71), resolved_at: iso(60 * 70), impact: 'minor', shortlink: 'https://status.lab.test/incidents/lab0', started_at: iso(60 * 72), page_id: PAGE_ID,
    incident_updates: [
      { id: 'labupd0done1', status: 'resolved', body: 'FTP transfers are back to normal.', incident_id: 'labinc0done1', created_at: iso(60 * 70), updated_at: iso(60 * 70), display_at: iso(60 * 70), affected_components: [{ code: hosting.id, name: hosting.name, old_status: 'degraded_performance', new_status: 'operational' }], deliver_notifications: true, custom_tweet: null, tweet_id: null },
    ],
    components: [hosting],
  };
  return { open, resolved };
}

/** Both pages are built once, so repeated polls see the same ids and times, as on a real page. */
export function statusPageSite(opts: { now?: () => number } = {}): Site {
  const t0 = (opts.now ?? Date.now)();
  const build = (withIncident: boolean) => {
    const comps = components(t0, withIncident ? 'partial_outage' : 'operational');
    const { open, resolved } = incidents(t0, comps);
    const unresolved = withIncident ? [open] : [];
    const all = withIncident ? [open, resolved] : [resolved];
    const page = { id: PAGE_ID, name: 'Lab status', url: withIncident ? 'https://status.lab.test/incident' : 'https://status.lab.test', time_zone: 'Etc/UTC', updated_at: new Date(t0 - minutes(withIncident ? 10 : 60 * 70)).toISOString() };
    const status = withIncident ? { indicator: 'major', description: 'Partial System Outage' } : { indicator: 'none', description: 'All Systems Operational' };
    return {
      'summary.json': { page, components: comps, incidents: unresolved, scheduled_maintenances: [], status },
      'status.json': { page, status },
      'components.json': { page, components: comps },
      'incidents.json': { page, incidents: all },
      'incidents/unresolved.json': { page, incidents: unresolved },
      'scheduled-maintenances.json': { page, scheduled_maintenances: [] },
      'scheduled-maintenances/upcoming.json': { page, scheduled_maintenances: [] },
      'scheduled-maintenances/active.json': { page, scheduled_maintenances: [] },
    } as Record<string, unknown>;
  };
  const quiet = build(false);
  const incident = build(true);
  return (req, res) => {
    const m = /^(\/incident)?\/api\/v2\/(.+)$/.exec(req.path);
    const doc = m ? (m[1] ? incident : quiet)[m[2]] : undefined;
    if (!doc) return sendJson(res, 404, { error: 'Not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'Method not allowed' });
    sendJson(res, 200, doc, 'application/json; charset=utf-8', { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'max-age=0, private, must-revalidate' });
  };
}
