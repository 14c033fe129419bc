// HTML: a self-contained page (inline styles, no scripts, no remote assets) or a fragment for the
// support page. Everything that comes from a record is escaped: evidence quotes remote servers.
import { duration, type CauseView, type CheckView, type ReportModel } from './model.js';

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const href = (url?: string) => (url && /^https?:\/\//i.test(url) ? esc(url) : undefined);

const STYLE = `
.exdiag-report{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;max-width:60rem}
.exdiag-report h1,.exdiag-report h2{line-height:1.2}
.exdiag-report dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
.exdiag-report dt{font-weight:600}.exdiag-report dd{margin:0}
.exdiag-report .verdict{font-size:1.25rem;font-weight:700;padding:.5rem .75rem;border-left:.4rem solid #555;background:#f4f4f4}
.exdiag-report .verdict.healthy{border-color:#1a7f37}.exdiag-report .verdict.degraded{border-color:#9a6700}
.exdiag-report .verdict.failing{border-color:#b3261e}.exdiag-report .verdict.inconclusive{border-color:#555}
.exdiag-report .cause{border:1px solid #d0d0d0;padding:.5rem 1rem;border-radius:.25rem}
.exdiag-report table{border-collapse:collapse;width:100%}
.exdiag-report th,.exdiag-report td{text-align:left;vertical-align:top;border-bottom:1px solid #d0d0d0;padding:.4rem}
.exdiag-report .st{font-weight:700;white-space:nowrap}
.exdiag-report .st-pass{color:#1a7f37}.exdiag-report .st-warn{color:#7a5200}.exdiag-report .st-fail{color:#b3261e}
.exdiag-report .st-skipped,.exdiag-report .st-error{color:#4a4a4a}
.exdiag-report code{font-family:ui-monospace,monospace;background:#f0f0f0;padding:0 .2rem;word-break:break-word}
.exdiag-report code.code{white-space:nowrap;word-break:normal}
.exdiag-report ul.evidence{margin:.25rem 0 0;padding-left:1.1rem;font-size:.9rem;color:#333}
.exdiag-report a{color:#0b57d0}
.exdiag-report .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`;

const MARK: Record<CheckView['status'], string> = { pass: '✔', warn: '⚠', fail: '✘', skipped: '–', error: '?' };

function fix(c: { fix: CauseView['fix'] }, label: string, more: string): string {
  const url = href(c.fix.link);
  return `<p><strong>${esc(label)}:</strong> ${esc(c.fix.text)}${url ? ` <a href="${url}" rel="noopener noreferrer">${esc(more)}</a>` : ''}</p>`;
}

function cause(c: CauseView, m: ReportModel): string {
  return `<div class="cause"><p><code>${esc(c.code)}</code> — <strong>${esc(c.fix.title)}</strong></p>`
    + (c.check && c.message ? `<p>${esc(c.check)}: ${esc(c.message)}</p>` : '')
    + `${fix(c, m.l.fix, m.l.moreInfo)}</div>`;
}

function row(c: CheckView, m: ReportModel): string {
  const { l } = m;
  const details: string[] = [`<p class="msg">${esc(c.message)}</p>`];
  if (c.explainedBy) details.push(`<p>${esc(l.explainedBy)}: <code>${esc(c.explainedBy)}</code></p>`);
  if (c.skippedBecause) details.push(`<p>${esc(l.skippedBecause)}: ${esc(c.skippedBecause)}</p>`);
  if (c.fix && !c.explainedBy) details.push(fix({ fix: c.fix }, l.fix, l.moreInfo));
  if (c.evidence.length) {
    details.push(`<ul class="evidence" aria-label="${esc(l.evidence)}">${c.evidence.map(([k, v]) => `<li><code>${esc(k)}</code>: ${esc(v)}</li>`).join('')}</ul>`);
  }
  return `<tr data-check="${esc(c.id)}" data-status="${esc(c.status)}"><th scope="row">${esc(c.name)}</th>`
    + `<td class="st st-${esc(c.status)}"><span aria-hidden="true">${MARK[c.status]}</span> ${esc(c.statusLabel)}</td>`
    + `<td>${c.code ? `<code class="code">${esc(c.code)}</code>` : ''}</td><td>${details.join('')}</td>`
    + `<td>${esc(duration(c.durationMs, m.locale))}</td></tr>`;
}

/** The report as an `<article>` (the support page inserts it). */
export function renderHtmlFragment(m: ReportModel, headingLevel: 1 | 2 = 2): string {
  const { l } = m;
  const h = `h${headingLevel}`;
  const sub = `h${headingLevel + 1}`;
  const parts: string[] = [`<article class="exdiag-report" lang="${m.locale}" data-diagnostic="${esc(m.id)}">`];
  parts.push(`<${h}>${esc(l.title)}: ${esc(m.account)}</${h}>`);
  parts.push(`<dl class="meta">${m.meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`);
  if (!m.finished) parts.push(`<p role="note">${esc(l.notFinished)}</p>`);
  if (m.verdict) parts.push(`<p class="verdict ${esc(m.verdict.code)}" data-verdict="${esc(m.verdict.code)}">${esc(l.verdict)}: ${esc(m.verdict.label)}</p>`);
  if (m.error) parts.push(`<p>${esc(l.runError)}: <code>${esc(m.error.code)}</code> — ${esc(m.error.message)}</p>`);
  if (m.primary) parts.push(`<section aria-labelledby="pc-${esc(m.id)}"><${sub} id="pc-${esc(m.id)}">${esc(l.primaryCause)}</${sub}>${cause(m.primary, m)}</section>`);
  else if (m.finished && m.verdict) parts.push(`<p>${esc(l.noCause)}</p>`);
  if (m.others.length) parts.push(`<section><${sub}>${esc(l.otherCauses)}</${sub}>${m.others.map((c) => cause(c, m)).join('')}</section>`);
  parts.push(`<section><${sub}>${esc(l.checks)}</${sub}><table><caption class="visually-hidden">${esc(l.checks)}</caption>`
    + `<thead><tr><th scope="col">${esc(l.check)}</th><th scope="col">${esc(l.status)}</th><th scope="col">${esc(l.code)}</th>`
    + `<th scope="col">${esc(l.message)}</th><th scope="col">${esc(l.duration)}</th></tr></thead>`
    + `<tbody>${m.checks.map((c) => row(c, m)).join('')}</tbody></table></section>`);
  parts.push('</article>');
  return parts.join('\n');
}

export function renderHtmlDocument(m: ReportModel): string {
  return `<!doctype html>\n<html lang="${m.locale}"><head><meta charset="utf-8">`
    + '<meta name="viewport" content="width=device-width, initial-scale=1">'
    + `<title>${esc(m.l.title)}: ${esc(m.account)}</title>`
    + `<style>${STYLE}</style></head>`
    + `<body>${renderHtmlFragment(m, 1)}</body></html>\n`;
}

/** The report's styles, for pages that embed the fragment (all rules are scoped to .exdiag-report). */
export const REPORT_STYLE = STYLE;
