// A mailbox's diagnostics, newest first (GET /v1/diagnostics?account=…), a page at a time; each
// row opens its diagnostic.
import { apiKey, getJson } from './api.js';
import { $, el, showError } from './dom.js';
import { t, when } from './i18n.js';
import { ticketOf } from './progress.js';

const PAGE = 10;
const shown = { account: '', items: [], next: undefined };
let openDiagnostic = () => undefined;

async function load(account, cursor) {
  const q = new URLSearchParams({ account, limit: String(PAGE) });
  if (cursor) q.set('cursor', cursor);
  const page = await getJson(`/v1/diagnostics?${q}`);
  if (!cursor) shown.items = [];
  shown.account = account;
  shown.items.push(...page.items);
  shown.next = page.nextCursor;
  paint();
}

function paint() {
  const w = t();
  const table = $('history');
  $('history-more').hidden = !shown.next;
  if (!shown.account) return;
  $('history-status').textContent = shown.items.length ? w.historyCount(shown.items.length) : w.historyEmpty;
  table.hidden = !shown.items.length;
  table.querySelector('caption').textContent = w.historyCaption(shown.account);
  const c = w.cols;
  table.tHead.replaceChildren(el('tr', {}, ...[c.requested, c.status, c.verdict, c.cause, c.ticket, c.open].map((h) => el('th', { scope: 'col' }, h))));
  table.tBodies[0].replaceChildren(...shown.items.map((r) => {
    const at = when(r.createdAt);
    const button = el('button', { type: 'button', class: 'secondary', 'aria-label': w.openRow(at) }, w.cols.open);
    button.addEventListener('click', () => openDiagnostic(r.id, { focus: true }));
    return el('tr', { 'data-id': r.id, 'data-status': r.status },
      el('td', { class: 'nowrap' }, at),
      el('td', {}, w.run[r.status] || r.status),
      el('td', { 'data-verdict': r.verdict }, r.verdict ? w.verdicts[r.verdict] || r.verdict : '—'),
      el('td', {}, r.primaryCause ? el('code', {}, r.primaryCause) : '—'),
      el('td', {}, ticketOf(r) || '—'),
      el('td', {}, button));
  }));
}

/** Shows the history of `account` around diagnostic `id` (read again unless it already lists it). */
export async function showHistory(account, id) {
  if (shown.account === account && shown.items.some((r) => r.id === id)) return;
  $('history-account').value = account;
  await load(account);
}

/** Reloads the list when it shows `account` (a diagnostic of it started or ended). */
export async function refreshHistory(account) {
  if (shown.account && shown.account.toLowerCase() === String(account).toLowerCase()) await load(shown.account);
}

export const repaintHistory = paint;

export function initHistory({ open }) {
  openDiagnostic = open;
  $('history-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showError('');
    if (!apiKey()) return showError(t().needKey);
    const account = $('history-account').value.trim();
    if (!account) return showError(t().needHistoryAccount);
    try { await load(account); } catch (err) { showError(err.message); }
  });
  $('history-more').addEventListener('click', async () => {
    try { await load(shown.account, shown.next); } catch (err) { showError(err.message); }
  });
}
