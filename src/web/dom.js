// Small DOM helpers: every text a server or a user gave goes in through textContent, never as HTML.

export const $ = (id) => document.getElementById(id);

/** `el('td', { class: 'code' }, 'AUTH_FAILED', child…)`: attributes, then text or nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.dataset[k.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(c);
  return node;
}

/** The page's alert line: one message at a time; empty hides it. */
export function showError(message) {
  const box = $('error');
  box.textContent = message || '';
  box.hidden = !message;
}

/** The screen-reader announcement of progress (aria-live="polite"). */
export function announce(message) {
  $('announce').textContent = message;
}
