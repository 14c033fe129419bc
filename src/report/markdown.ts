// Markdown: what ticketing systems paste into a ticket and what the support page copies.
// Evidence and messages come from remote servers: every such string is escaped.
import { duration, type CauseView, type CheckView, type ReportModel } from './model.js';
import { oneLine } from './plain.js';

const ICON: Record<CheckView['status'], string> = { pass: '✅', warn: '⚠️', fail: '❌', skipped: '⏭️', error: '❔' };

/** Escapes Markdown syntax and flattens to one line (no injected headings, links, HTML or tables). */
export const md = (s: string) => oneLine(s)
  .replace(/[\\`*_[\]<>#+!|~]/g, (c) => `\\${c}`)
  // A leading "-" or "1." would start a list inside our layout.
  .replace(/^(\s*)(-|\d+\.)/, (_m, sp: string, mark: string) => `${sp}${mark.replace(/^-|\.$/, (c) => `\\${c}`)}`);
const link = (url?: string) => (url && /^https?:\/\//.test(url) ? ` — <${url.replace(/[<>\s]/g, encodeURIComponent)}>` : '');

function cause(c: CauseView): string {
  return `**${c.code}** — ${md(c.fix.title)}. ${md(c.fix.text)}${link(c.fix.link)}`;
}

export function renderMarkdown(m: ReportModel): string {
  const { l } = m;
  const out: string[] = [`## ${md(l.title)}: ${md(m.account)}`, ''];
  for (const [k, v] of m.meta) out.push(`- **${md(k)}**: ${md(v)}`);
  out.push('');
  if (!m.finished) out.push(`> ${md(l.notFinished)}`, '');
  if (m.verdict) out.push(`**${l.verdict}: ${md(m.verdict.label)}**`, '');
  if (m.error) out.push(`${md(l.runError)}: \`${m.error.code.replace(/`/g, '')}\` — ${md(m.error.message)}`, '');
  if (m.primary) {
    out.push(`### ${md(l.primaryCause)}`, '', cause(m.primary));
    if (m.primary.check && m.primary.message) out.push('', `_${md(m.primary.check)}_: ${md(m.primary.message)}`);
    out.push('');
  } else if (m.finished && m.verdict) {
    out.push(md(l.noCause), '');
  }
  if (m.others.length) {
    out.push(`### ${md(l.otherCauses)}`, '');
    for (const c of m.others) out.push(`- ${cause(c)}`);
    out.push('');
  }
  out.push(`### ${md(l.checks)}`, '');
  for (const c of m.checks) {
    out.push(`- ${ICON[c.status]} **${md(c.name)}** — ${md(c.statusLabel)}${c.code ? ` \`${c.code}\`` : ''} (${duration(c.durationMs, m.locale)})`);
    out.push(`  ${md(c.message)}`);
    if (c.explainedBy) out.push(`  - ${md(l.explainedBy)}: \`${c.explainedBy}\``);
    if (c.skippedBecause) out.push(`  - ${md(l.skippedBecause)}: ${md(c.skippedBecause)}`);
    if (c.fix && !c.explainedBy) out.push(`  - ${md(l.fix)}: ${md(c.fix.text)}${link(c.fix.link)}`);
    if (c.evidence.length) out.push(`  - ${md(l.evidence)}: ${c.evidence.map(([k, v]) => `${md(k)}=${md(v)}`).join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}
