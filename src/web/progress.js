// The progress panel of the open diagnostic: one row per check (status by icon and word, never by
// colour alone), the run's status, what it was asked for (platform, server, ticket) and the verdict.
import { $, announce, el } from './dom.js';
import { t } from './i18n.js';

const ICON = { pending: '·', running: '…', stopped: '–', pass: '✔', warn: '⚠', fail: '✘', skipped: '–', error: '?' };

export const isFinished = (r) => ['completed', 'failed', 'cancelled'].includes(r.status);

/** The ticket reference a diagnostic carries (`metadata.ticket`), if any. */
export const ticketOf = (r) => (r.metadata && typeof r.metadata.ticket === 'string' ? r.metadata.ticket : '');

export function clearProgress() {
  $('checks').replaceChildren();
  $('current-meta').replaceChildren();
  $('verdict').hidden = true;
  $('cancel').hidden = true;
}

function row(id) {
  const list = $('checks');
  let li = list.querySelector(`li[data-check="${CSS.escape(id)}"]`);
  if (!li) {
    li = el('li', { 'data-check': id, 'data-status': 'pending' },
      el('span', { class: 'icon', 'aria-hidden': 'true' }), el('span', { class: 'name' }), el('span', { class: 'state' }), el('span', { class: 'code' }));
    list.append(li);
    paint(li);
  }
  return li;
}

/** "Checking… 12 s" for a running check whose start is known (the receive wait can be long). */
function stateText(li) {
  const w = t();
  const s = li.dataset.status;
  if (s !== 'running' || !li.dataset.since) return w.status[s] || s;
  return `${w.status.running} ${Math.max(0, Math.round((Date.now() - Date.parse(li.dataset.since)) / 1000))} s`;
}

let ticking;
function tick() {
  const running = $('checks').querySelectorAll('li[data-status="running"][data-since]');
  for (const li of running) li.querySelector('.state').textContent = stateText(li);
  if (!running.length) {
    clearInterval(ticking);
    ticking = undefined;
  }
}

function paint(li, speak) {
  const w = t();
  const s = li.dataset.status;
  const name = w.checks[li.dataset.check] || li.dataset.check;
  li.querySelector('.icon').textContent = ICON[s] || '·';
  li.querySelector('.name').textContent = name;
  li.querySelector('.state').textContent = stateText(li);
  li.querySelector('.code').textContent = li.dataset.code || '';
  if (speak) announce(`${name}: ${w.status[s] || s}${li.dataset.code ? ` (${li.dataset.code})` : ''}`);
}

/** One check changed (live event); `speak` announces it to screen readers; `since`: when it started. */
export function setRow(id, status, code, speak, since) {
  if (!id) return;
  const li = row(id);
  li.dataset.status = status;
  if (code) li.dataset.code = code; else delete li.dataset.code;
  if (since) li.dataset.since = since;
  paint(li, speak);
  if (status === 'running' && since && !ticking) ticking = setInterval(tick, 1000);
}

export function setRunStatus(text) {
  $('run-status').textContent = text;
}

/** Paints the whole panel from a record (also after a language switch). */
export function renderRecord(r) {
  const w = t();
  $('progress').hidden = false;
  $('current-id').textContent = r.id;
  setRunStatus(w.run[r.status] || r.status);
  const meta = [[w.meta.account, r.account], [w.meta.platform, r.platform], [w.meta.server, r.server], [w.meta.ticket, ticketOf(r)]];
  $('current-meta').replaceChildren(...meta.filter(([, v]) => v).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  for (const id of r.checks || []) row(id);
  for (const li of $('checks').querySelectorAll('li')) paint(li);
  for (const id of (r.progress && r.progress.running) || []) setRow(id, 'running');
  for (const res of r.results || []) setRow(res.id, res.status, res.code);
  // A run that ended early (cancelled, failed) leaves checks without a result: say so, not "Checking…".
  if (isFinished(r)) for (const li of $('checks').querySelectorAll('li[data-status="running"], li[data-status="pending"]')) setRow(li.dataset.check, 'stopped');
  const v = $('verdict');
  if (r.verdict) {
    v.hidden = false;
    v.dataset.verdict = r.verdict;
    v.textContent = `${w.verdict}: ${w.verdicts[r.verdict] || r.verdict}${r.primaryCause ? ` — ${r.primaryCause}` : ''}`;
  } else {
    v.hidden = true;
    delete v.dataset.verdict;
  }
  $('cancel').hidden = isFinished(r);
}
