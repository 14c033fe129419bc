// The "run a diagnostic" form: mailbox, password, ticket reference (sent as `metadata.ticket`),
// platform (GET /v1/platforms), account server and a subset of the checks. A 409 (this mailbox has
// a diagnostic running already) offers to open the running one instead of showing an error.
import { api, apiKey, ApiError, getJson } from './api.js';
import { CHECK_IDS } from './check-names.js';
import { $, el, showError } from './dom.js';
import { t } from './i18n.js';

let platforms;
let serverOverride = 'platform';

/** Loads the platforms this API key may use into the select (quietly keeps the default without a key). */
export async function loadPlatforms() {
  if (!apiKey()) {
    platforms = undefined;
    paintPlatforms();
    return;
  }
  const list = await getJson('/v1/platforms');
  platforms = list;
  serverOverride = list.serverOverride;
  paintPlatforms();
}

function paintPlatforms() {
  const select = $('platform');
  const chosen = select.value || platforms?.default || '';
  const options = platforms
    ? platforms.items.map((p) => el('option', { value: p.id }, `${p.id} — ${p.label}`))
    : [el('option', { value: '' }, t().platformDefault)];
  select.replaceChildren(...options);
  select.value = platforms?.items.some((p) => p.id === chosen) ? chosen : (platforms?.default ?? '');
  paintPlatformHint();
}

function paintPlatformHint() {
  const w = t();
  const p = platforms?.items.find((x) => x.id === $('platform').value);
  $('platform-hint').textContent = p ? w.platformHosts(p) : w.platformsNeedKey;
  const server = $('server');
  server.disabled = serverOverride === 'none';
  if (server.disabled) server.value = '';
  server.placeholder = p ? p.server : '';
  $('server-hint').textContent = server.disabled ? w.serverFixed : w.serverHint(p?.server);
}

function paintChecks() {
  const box = $('check-boxes');
  const names = t().checks;
  if (!box.children.length) {
    box.append(...CHECK_IDS.map((id) => el('label', { class: 'check-box' },
      el('input', { type: 'checkbox', name: 'checks', value: id, checked: true }), el('span', { 'data-check-name': id }))));
  }
  for (const span of box.querySelectorAll('[data-check-name]')) span.textContent = names[span.dataset.checkName] || span.dataset.checkName;
}

/** Repaints the language-dependent parts (options, hints, check names). */
export function repaintRunForm() {
  paintPlatforms();
  paintChecks();
  const open = $('conflict-open');
  if (open.dataset.account) $('conflict-text').textContent = t().conflict(open.dataset.account);
}

function hideConflict() {
  $('conflict').hidden = true;
}

/** The body of POST /v1/diagnostics from the form, or an error message. */
function requestBody() {
  const w = t();
  const account = $('account').value.trim();
  const password = $('password').value;
  if (!account || !password) return { error: w.needAccount };
  const ticked = [...document.querySelectorAll('#check-boxes input:checked')].map((i) => i.value);
  if (!ticked.length) return { error: w.needCheck };
  const body = { account, password, locale: document.documentElement.lang };
  if ($('platform').value) body.platform = $('platform').value;
  const server = $('server').value.trim();
  if (server && !$('server').disabled) body.server = server;
  if (ticked.length < CHECK_IDS.length) body.checks = ticked;
  const ticket = $('ticket').value.trim();
  if (ticket) body.metadata = { ticket };
  return { body };
}

/** Wires the form; `open(id)` shows a diagnostic (the new one, or the running one of a 409). */
export function initRunForm({ open }) {
  paintChecks();
  $('platform').addEventListener('change', paintPlatformHint);
  $('checks-all').addEventListener('click', () => { for (const i of document.querySelectorAll('#check-boxes input')) i.checked = true; });
  $('checks-none').addEventListener('click', () => { for (const i of document.querySelectorAll('#check-boxes input')) i.checked = false; });
  $('conflict-open').addEventListener('click', () => {
    hideConflict();
    open($('conflict-open').dataset.id, { focus: true });
  });
  $('run-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showError('');
    hideConflict();
    if (!apiKey()) return showError(t().needKey);
    const { body, error } = requestBody();
    if (error) return showError(error);
    const button = $('run');
    button.disabled = true;
    try {
      const res = await api('/v1/diagnostics', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      $('password').value = '';
      const record = await res.json();
      open(record.id, { focus: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.code === 'DIAGNOSTIC_RUNNING' && err.diagnosticId) {
        $('password').value = '';
        $('conflict-text').textContent = t().conflict(body.account);
        $('conflict-open').dataset.id = err.diagnosticId;
        $('conflict-open').dataset.account = body.account;
        $('conflict').hidden = false;
        $('conflict-open').focus();
      } else {
        showError(err.message);
      }
    } finally {
      button.disabled = false;
    }
  });
}
