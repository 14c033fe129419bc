// The support page: run or open a diagnostic, watch its checks live, read and copy the report.
// Auth: every call (the live stream included) is a fetch() with `Authorization: Bearer <key>`.
// EventSource cannot send that header, so the stream is read with fetch + a small SSE parser;
// this keeps the API key out of URLs (logs, history) and needs no extra token endpoint.
'use strict';

(() => {
  const T = {
    en: {
      pageTitle: 'Mailbox diagnostics — support', skip: 'Skip to content', heading: 'Mailbox diagnostics', language: 'Language',
      keyHeading: 'API key', keyLabel: 'API key (kept in this browser tab only)', runHeading: 'Run a diagnostic',
      accountLabel: 'Mailbox address', passwordLabel: 'Mailbox password', passwordHint: 'Sent once to the service, never stored in this page.',
      runButton: 'Run the diagnostic', openHeading: 'Open an existing diagnostic', idLabel: 'Diagnostic id', openButton: 'Open',
      progressHeading: 'Progress', diagnosticLabel: 'Diagnostic', reportHeading: 'Report', copyButton: 'Copy the report (Markdown)',
      copied: 'Report copied to the clipboard.', copyFailed: 'Could not copy: select the report and copy it by hand.',
      needKey: 'Enter your API key first.', needAccount: 'Enter a mailbox address and its password.', needId: 'Enter a diagnostic id.',
      verdict: 'Verdict', reconnecting: 'Connection lost, reconnecting…', network: 'The service could not be reached.',
      status: { pending: 'Waiting', running: 'Checking…', pass: 'OK', warn: 'Warning', fail: 'Failed', skipped: 'Skipped', error: 'Could not check' },
      run: { queued: 'queued', running: 'running', completed: 'completed', failed: 'failed', cancelled: 'cancelled' },
      verdicts: { healthy: 'Healthy', degraded: 'Works, with warnings', failing: 'Not working', inconclusive: 'Inconclusive' },
    },
    fr: {
      pageTitle: 'Diagnostic de boîte mail — support', skip: 'Aller au contenu', heading: 'Diagnostic de boîte mail', language: 'Langue',
      keyHeading: 'Clé d’API', keyLabel: 'Clé d’API (gardée dans cet onglet uniquement)', runHeading: 'Lancer un diagnostic',
      accountLabel: 'Adresse de la boîte mail', passwordLabel: 'Mot de passe de la boîte', passwordHint: 'Envoyé une fois au service, jamais conservé par cette page.',
      runButton: 'Lancer le diagnostic', openHeading: 'Ouvrir un diagnostic existant', idLabel: 'Identifiant du diagnostic', openButton: 'Ouvrir',
      progressHeading: 'Progression', diagnosticLabel: 'Diagnostic', reportHeading: 'Rapport', copyButton: 'Copier le rapport (Markdown)',
      copied: 'Rapport copié dans le presse-papiers.', copyFailed: 'Copie impossible : sélectionnez le rapport et copiez-le à la main.',
      needKey: 'Saisissez d’abord votre clé d’API.', needAccount: 'Saisissez une adresse et son mot de passe.', needId: 'Saisissez un identifiant de diagnostic.',
      verdict: 'Verdict', reconnecting: 'Connexion perdue, reconnexion…', network: 'Le service est injoignable.',
      status: { pending: 'En attente', running: 'Vérification…', pass: 'OK', warn: 'Avertissement', fail: 'Échec', skipped: 'Non effectuée', error: 'Vérification impossible' },
      run: { queued: 'en attente', running: 'en cours', completed: 'terminé', failed: 'en échec', cancelled: 'annulé' },
      verdicts: { healthy: 'Fonctionne', degraded: 'Fonctionne, avec des avertissements', failing: 'Ne fonctionne pas', inconclusive: 'Non concluant' },
    },
  };
  // Check names are served by the service from the report labels (check-names.js).
  for (const locale of Object.keys(T)) T[locale].checks = window.EXDIAG_CHECK_NAMES[locale];
  const ICON = { pending: '·', running: '…', pass: '✔', warn: '⚠', fail: '✘', skipped: '–', error: '?' };
  const $ = (id) => document.getElementById(id);
  const state = { locale: 'en', id: undefined, record: undefined, watch: undefined };

  function setLocale(locale) {
    state.locale = T[locale] ? locale : 'en';
    sessionStorage.setItem('exdiag.locale', state.locale);
    const t = T[state.locale];
    document.documentElement.lang = state.locale;
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t[el.dataset.i18n];
    for (const el of document.querySelectorAll('[data-i18n-attr]')) {
      const [attr, key] = el.dataset.i18nAttr.split(':');
      el.setAttribute(attr, t[key]);
    }
    for (const b of document.querySelectorAll('button.lang')) b.setAttribute('aria-pressed', String(b.dataset.lang === state.locale));
    if (state.record) {
      renderRecord(state.record);
      if (isFinished(state.record)) loadReport();
    }
  }

  const isFinished = (r) => ['completed', 'failed', 'cancelled'].includes(r.status);

  function showError(message) {
    const el = $('error');
    el.textContent = message || '';
    el.hidden = !message;
  }

  function apiKey() {
    const k = $('api-key').value.trim();
    if (k) sessionStorage.setItem('exdiag.apiKey', k);
    return k;
  }

  async function api(path, init = {}) {
    const headers = { authorization: `Bearer ${apiKey()}`, 'accept-language': state.locale, ...(init.headers || {}) };
    let res;
    try {
      res = await fetch(path, { ...init, headers });
    } catch {
      throw new Error(T[state.locale].network);
    }
    if (!res.ok) {
      let detail = `HTTP ${res.status}`;
      try {
        const p = await res.json();
        detail = `${p.detail || p.title || detail}${p.code ? ` (${p.code})` : ''}`;
      } catch { /* not problem+json */ }
      const err = new Error(detail);
      err.status = res.status;
      throw err;
    }
    return res;
  }

  // ---- progress rows ----
  function ensureRows(checkIds) {
    const list = $('checks');
    for (const id of checkIds) {
      if (list.querySelector(`li[data-check="${CSS.escape(id)}"]`)) continue;
      const li = document.createElement('li');
      li.dataset.check = id;
      li.dataset.status = 'pending';
      for (const cls of ['icon', 'name', 'state', 'code']) {
        const span = document.createElement('span');
        span.className = cls;
        if (cls === 'icon') span.setAttribute('aria-hidden', 'true');
        li.append(span);
      }
      list.append(li);
      paintRow(li);
    }
  }

  function paintRow(li, announce) {
    const t = T[state.locale];
    const s = li.dataset.status;
    li.querySelector('.icon').textContent = ICON[s] || '·';
    li.querySelector('.name').textContent = t.checks[li.dataset.check] || li.dataset.check;
    li.querySelector('.state').textContent = t.status[s] || s;
    li.querySelector('.code').textContent = li.dataset.code || '';
    if (announce) $('announce').textContent = `${t.checks[li.dataset.check] || li.dataset.check}: ${t.status[s] || s}${li.dataset.code ? ` (${li.dataset.code})` : ''}`;
  }

  function setRow(id, status, code, announce) {
    ensureRows([id]);
    const li = $('checks').querySelector(`li[data-check="${CSS.escape(id)}"]`);
    li.dataset.status = status;
    if (code) li.dataset.code = code; else delete li.dataset.code;
    paintRow(li, announce);
  }

  function renderRecord(r) {
    const t = T[state.locale];
    $('progress').hidden = false;
    $('current-id').textContent = r.id;
    $('run-status').textContent = t.run[r.status] || r.status;
    ensureRows(r.checks || []);
    for (const li of $('checks').querySelectorAll('li')) paintRow(li);
    for (const id of (r.progress && r.progress.running) || []) setRow(id, 'running');
    for (const res of r.results || []) setRow(res.id, res.status, res.code);
    const v = $('verdict');
    if (r.verdict) {
      v.hidden = false;
      v.dataset.verdict = r.verdict;
      v.textContent = `${t.verdict}: ${t.verdicts[r.verdict] || r.verdict}${r.primaryCause ? ` — ${r.primaryCause}` : ''}`;
    } else {
      v.hidden = true;
      delete v.dataset.verdict;
    }
  }

  // ---- live stream (fetch + SSE parsing, resumable with Last-Event-ID) ----
  async function follow(id, signal) {
    let lastId;
    for (let attempt = 0; attempt < 20 && !signal.aborted; attempt++) {
      try {
        const res = await api(`/v1/diagnostics/${encodeURIComponent(id)}/events`, {
          headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) }, signal,
        });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value.replace(/\r\n?/g, '\n');
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const ev = { event: 'message', data: '' };
            for (const line of block.split('\n')) {
              if (!line || line.startsWith(':')) continue;
              const i = line.indexOf(':');
              const field = i < 0 ? line : line.slice(0, i);
              const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (field === 'id') ev.id = val;
              else if (field === 'event') ev.event = val;
              else if (field === 'data') ev.data += val;
            }
            if (ev.id) lastId = ev.id;
            if (await onEvent(id, ev)) return;
          }
        }
        // The server ends the stream when the run is over; make sure we have the final record.
        if (await refresh(id)) return;
      } catch (err) {
        if (signal.aborted) return;
        if (err.status && err.status < 500) throw err;
        $('run-status').textContent = T[state.locale].reconnecting;
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 5000)));
      }
    }
  }

  async function onEvent(id, ev) {
    let data = {};
    try { data = JSON.parse(ev.data || '{}'); } catch { /* keep {} */ }
    if (ev.event === 'check.started') {
      setRow(data.check || (data.result && data.result.id), 'running', undefined, true);
      $('run-status').textContent = T[state.locale].run.running;
    } else if (ev.event === 'check.finished') {
      const r = data.result || data;
      if (r && r.id) setRow(r.id, r.status, r.code, true);
    } else if (ev.event === 'diagnostic.finished') {
      return refresh(id);
    }
    return false;
  }

  /** Loads the record; true (and the report shown) once it is finished. */
  async function refresh(id) {
    const r = await (await api(`/v1/diagnostics/${encodeURIComponent(id)}`, { headers: { accept: 'application/json' } })).json();
    state.record = r;
    renderRecord(r);
    if (!isFinished(r)) return false;
    const t = T[state.locale];
    $('announce').textContent = r.verdict ? `${t.verdict}: ${t.verdicts[r.verdict] || r.verdict}` : t.run[r.status];
    await loadReport();
    return true;
  }

  async function loadReport() {
    if (!state.id) return;
    const res = await api(`/v1/diagnostics/${encodeURIComponent(state.id)}/report?format=html&fragment=true&locale=${state.locale}`, { headers: { accept: 'text/html' } });
    // Our own server renders and escapes this fragment (evidence included).
    $('report').innerHTML = await res.text();
    $('report-section').hidden = false;
  }

  async function watch(id) {
    state.watch?.abort();
    const ac = new AbortController();
    state.watch = ac;
    state.id = id;
    state.record = undefined;
    $('checks').replaceChildren();
    $('report').replaceChildren();
    $('report-section').hidden = true;
    $('copy-status').textContent = '';
    history.replaceState(null, '', `#${encodeURIComponent(id)}`);
    if (await refresh(id)) return;
    await follow(id, ac.signal);
  }

  // ---- forms ----
  async function onRun(e) {
    e.preventDefault();
    const t = T[state.locale];
    showError('');
    if (!apiKey()) return showError(t.needKey);
    const account = $('account').value.trim();
    const password = $('password').value;
    if (!account || !password) return showError(t.needAccount);
    const button = $('run');
    button.disabled = true;
    try {
      const res = await api('/v1/diagnostics', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ account, password, locale: state.locale }),
      });
      $('password').value = '';
      const record = await res.json();
      watch(record.id).catch((err) => showError(err.message));
    } catch (err) {
      showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  async function onOpen(e) {
    e.preventDefault();
    const t = T[state.locale];
    showError('');
    if (!apiKey()) return showError(t.needKey);
    const id = $('diagnostic-id').value.trim();
    if (!id) return showError(t.needId);
    try { await watch(id); } catch (err) { showError(err.message); }
  }

  async function onCopy() {
    const t = T[state.locale];
    try {
      const res = await api(`/v1/diagnostics/${encodeURIComponent(state.id)}/report?format=markdown&locale=${state.locale}`, { headers: { accept: 'text/markdown' } });
      const text = await res.text();
      await navigator.clipboard.writeText(text);
      $('copy-status').textContent = t.copied;
    } catch {
      $('copy-status').textContent = t.copyFailed;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('api-key').value = sessionStorage.getItem('exdiag.apiKey') || '';
    $('api-key').addEventListener('change', apiKey);
    $('run-form').addEventListener('submit', onRun);
    $('open-form').addEventListener('submit', onOpen);
    $('copy').addEventListener('click', onCopy);
    for (const b of document.querySelectorAll('button.lang')) b.addEventListener('click', () => setLocale(b.dataset.lang));
    const saved = sessionStorage.getItem('exdiag.locale');
    setLocale(saved || ((navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en'));
    const fromHash = decodeURIComponent(location.hash.slice(1));
    if (fromHash && apiKey()) {
      $('diagnostic-id').value = fromHash;
      watch(fromHash).catch((err) => showError(err.message));
    }
  });
})();
