// Webhook deliveries of the open diagnostic (GET …/deliveries) and a re-send (POST …/deliveries).
// Deliveries happen in the background: after the end of a run or a re-send, the list is read again
// a few times until a new attempt shows up.
import { api, ApiError, diagnosticPath, getJson } from './api.js';
import { $, el } from './dom.js';
import { t, when } from './i18n.js';

const POLL_MS = 1000;
const POLL_TRIES = 15;
let current;
let items = [];
let poll;

function paint() {
  const w = t();
  const table = $('deliveries');
  $('deliveries-empty').hidden = items.length > 0;
  table.hidden = !items.length;
  const c = w.dcols;
  table.tHead.replaceChildren(el('tr', {}, ...[c.at, c.event, c.attempt, c.trigger, c.outcome, c.http, c.ms, c.detail].map((h) => el('th', { scope: 'col' }, h))));
  table.tBodies[0].replaceChildren(...items.map((d) => {
    const detail = [d.url, d.error, d.nextRetryAt ? w.nextRetry(when(d.nextRetryAt)) : undefined].filter(Boolean);
    return el('tr', { 'data-outcome': d.outcome, 'data-trigger': d.trigger },
      el('td', { class: 'nowrap' }, when(d.at)),
      el('td', {}, el('code', {}, d.event)),
      el('td', {}, String(d.attempt)),
      el('td', {}, w.triggers[d.trigger] || d.trigger),
      el('td', { class: `outcome outcome-${d.outcome}` }, w.outcomes[d.outcome] || d.outcome),
      el('td', {}, d.status === undefined ? '—' : String(d.status)),
      el('td', { class: 'nowrap' }, d.ms === undefined ? '—' : `${d.ms} ms`),
      el('td', { class: 'detail' }, ...detail.flatMap((x, i) => (i ? [el('br'), x] : [x]))));
  }));
}

async function load(id) {
  const list = await getJson(diagnosticPath(id, '/deliveries'));
  if (id !== current) return false;
  const grew = list.items.length > items.length;
  items = list.items;
  paint();
  return grew;
}

/** Reads the list again until it grows (or gives up quietly: the Refresh button stays). */
function pollForNew(id) {
  clearTimeout(poll);
  let tries = 0;
  const tick = async () => {
    if (id !== current || tries++ >= POLL_TRIES) return;
    try {
      if (await load(id)) return;
    } catch { /* keep the last list; the agent can refresh */ }
    poll = setTimeout(tick, POLL_MS);
  };
  poll = setTimeout(tick, POLL_MS);
}

/** Shows the deliveries of a finished diagnostic. */
export async function showDeliveries(id) {
  if (current !== id) {
    items = [];
    $('deliveries-status').textContent = '';
  }
  current = id;
  $('deliveries-section').hidden = false;
  paint();
  await load(id);
  // The webhook of a run that just ended may not have been attempted yet.
  if (!items.length) pollForNew(id);
}

export function hideDeliveries() {
  clearTimeout(poll);
  current = undefined;
  items = [];
  $('deliveries-section').hidden = true;
}

export const repaintDeliveries = paint;

export function initDeliveries() {
  $('deliveries-refresh').addEventListener('click', async () => {
    $('deliveries-status').textContent = '';
    try { await load(current); } catch (err) { $('deliveries-status').textContent = err.message; }
  });
  $('resend').addEventListener('click', async () => {
    const id = current;
    const status = $('deliveries-status');
    status.textContent = '';
    try {
      const res = await api(diagnosticPath(id, '/deliveries'), {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{}',
      });
      status.textContent = t().resendQueued((await res.json()).url);
      pollForNew(id);
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : t().network;
    }
  });
}
