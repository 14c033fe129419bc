// The support page: run or open a diagnostic, watch its checks live, cancel it, read, copy and
// print the report, see and re-send its webhook, browse a mailbox's history. This module follows
// the open diagnostic; the forms and panels live in their own modules.
import { api, apiKey, ApiError, diagnosticPath, getJson, readEvents, savedApiKey } from './api.js';
import { initDeliveries, hideDeliveries, repaintDeliveries, showDeliveries } from './deliveries.js';
import { $, announce, showError } from './dom.js';
import { initHistory, refreshHistory, repaintHistory, showHistory } from './history.js';
import { applyLocale, locale, t } from './i18n.js';
import { clearProgress, isFinished, renderRecord, setRow, setRunStatus } from './progress.js';
import { initRunForm, loadPlatforms, repaintRunForm } from './run-form.js';

const state = { id: undefined, record: undefined, watch: undefined };

// ---- the open diagnostic ----

/** Loads the record; true (and the report shown) once it is finished. */
async function refresh(id) {
  const r = await getJson(diagnosticPath(id));
  if (id !== state.id) return true;
  state.record = r;
  renderRecord(r);
  if (!isFinished(r)) return false;
  const w = t();
  announce(r.verdict ? `${w.verdict}: ${w.verdicts[r.verdict] || r.verdict}` : w.run[r.status]);
  await loadReport();
  showDeliveries(id).catch((err) => { $('deliveries-status').textContent = err.message; });
  refreshHistory(r.account).catch(() => undefined);
  return true;
}

async function onEvent(id, ev) {
  let data = {};
  try { data = JSON.parse(ev.data || '{}'); } catch { /* keep {} */ }
  if (ev.event === 'check.started') {
    setRow(data.check, 'running', undefined, true, data.at);
    setRunStatus(t().run.running);
  } else if (ev.event === 'check.finished') {
    const r = data.result || data;
    setRow(r.id, r.status, r.code, true);
  } else if (ev.event === 'diagnostic.finished') {
    return refresh(id);
  }
  return false;
}

/** Follows the live stream, resuming with Last-Event-ID after a dropped connection. */
async function follow(id, signal) {
  let lastId;
  for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
    try {
      const res = await api(diagnosticPath(id, '/events'), {
        headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }, signal,
      });
      const ended = await readEvents(res, (ev) => {
        if (ev.id) lastId = ev.id;
        return onEvent(id, ev);
      });
      // The server ends the stream when the run is over; make sure we have the final record.
      if (ended || await refresh(id)) return;
    } catch (err) {
      if (signal.aborted) return;
      if (err.status && err.status < 500) throw err;
      setRunStatus(t().reconnecting);
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 5000)));
    }
  }
}

async function loadReport() {
  if (!state.id) return;
  const res = await api(diagnosticPath(state.id, `/report?format=html&fragment=true&locale=${locale()}`), { headers: { accept: 'text/html' } });
  // Our own server renders and escapes this fragment (evidence included).
  $('report').innerHTML = await res.text();
  $('report-section').hidden = false;
}

/** Shows diagnostic `id` and follows it until it ends. */
async function open(id, { focus = false } = {}) {
  showError('');
  state.watch?.abort();
  const ac = new AbortController();
  state.watch = ac;
  state.id = id;
  state.record = undefined;
  clearProgress();
  hideDeliveries();
  $('report').replaceChildren();
  $('report-section').hidden = true;
  $('copy-status').textContent = '';
  history.replaceState(null, '', `#${encodeURIComponent(id)}`);
  try {
    const done = await refresh(id);
    if (focus) $('progress-h').focus();
    // The mailbox's other diagnostics, next to this one.
    if (state.record) showHistory(state.record.account, id).catch(() => undefined);
    if (!done) await follow(id, ac.signal);
  } catch (err) {
    if (state.id === id) showError(err.message);
  }
}

// ---- actions on the open diagnostic ----

async function onCancel() {
  const id = state.id;
  try {
    const res = await api(diagnosticPath(id), { method: 'DELETE', headers: { accept: 'application/json' } });
    if (res.status === 202 && state.id === id && !isFinished(state.record)) {
      setRunStatus(t().cancelRequested);
      announce(t().cancelRequested);
    }
    // A queued one ends at once (200); a running one ends when its worker stops: the stream says so.
    if (res.status === 200) await refresh(id);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'DIAGNOSTIC_FINISHED') await refresh(id);
    else showError(err.message);
  }
  $('progress-h').focus();
}

async function onCopy() {
  const w = t();
  try {
    const res = await api(diagnosticPath(state.id, `/report?format=markdown&locale=${locale()}`), { headers: { accept: 'text/markdown' } });
    await navigator.clipboard.writeText(await res.text());
    $('copy-status').textContent = w.copied;
  } catch {
    $('copy-status').textContent = w.copyFailed;
  }
}

function setLocale(wanted) {
  sessionStorage.setItem('exdiag.locale', applyLocale(wanted));
  for (const b of document.querySelectorAll('button.lang')) b.setAttribute('aria-pressed', String(b.dataset.lang === locale()));
  repaintRunForm();
  repaintHistory();
  repaintDeliveries();
  if (state.record) {
    renderRecord(state.record);
    if (isFinished(state.record)) loadReport().catch((err) => showError(err.message));
  }
}

function onKeyChange() {
  showError('');
  loadPlatforms().catch((err) => showError(err.message));
}

function init() {
  $('api-key').value = savedApiKey();
  $('api-key').addEventListener('change', onKeyChange);
  initRunForm({ open });
  initHistory({ open });
  initDeliveries();
  $('open-form').addEventListener('submit', (e) => {
    e.preventDefault();
    showError('');
    if (!apiKey()) return showError(t().needKey);
    const id = $('diagnostic-id').value.trim();
    if (!id) return showError(t().needId);
    open(id, { focus: true });
  });
  $('cancel').addEventListener('click', onCancel);
  $('copy').addEventListener('click', onCopy);
  $('print').addEventListener('click', () => window.print());
  $('evidence-toggle').addEventListener('click', () => {
    const all = $('report').classList.toggle('brief') === false;
    $('evidence-toggle').setAttribute('aria-pressed', String(all));
  });
  for (const b of document.querySelectorAll('button.lang')) b.addEventListener('click', () => setLocale(b.dataset.lang));
  const saved = sessionStorage.getItem('exdiag.locale');
  setLocale(saved || ((navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en'));
  if (apiKey()) onKeyChange();
  const fromHash = decodeURIComponent(location.hash.slice(1));
  if (fromHash && apiKey()) {
    $('diagnostic-id').value = fromHash;
    open(fromHash);
  }
}

init();
