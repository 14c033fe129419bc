// Plain text: for the CLI, e-mails and ticket fields that show no formatting.
import { duration, type CheckView, type ReportModel } from './model.js';
import { oneLine } from './plain.js';

const MARK: Record<CheckView['status'], string> = { pass: '[ OK ]', warn: '[WARN]', fail: '[FAIL]', skipped: '[SKIP]', error: '[ ?? ]' };

export function renderText(m: ReportModel): string {
  const { l } = m;
  const out: string[] = [`${l.title}: ${oneLine(m.account)}`, ''];
  const width = Math.max(...m.meta.map(([k]) => oneLine(k).length));
  for (const [k, v] of m.meta) out.push(`${oneLine(k).padEnd(width)}  ${oneLine(v)}`);
  out.push('');
  if (!m.finished) out.push(l.notFinished, '');
  if (m.verdict) out.push(`${l.verdict}: ${m.verdict.label}`);
  if (m.error) out.push(`${l.runError}: ${m.error.code} — ${oneLine(m.error.message)}`);
  if (m.primary) {
    out.push(`${l.primaryCause}: ${m.primary.code} — ${oneLine(m.primary.fix.title)}`);
    if (m.primary.check && m.primary.message) out.push(`  ${m.primary.check}: ${oneLine(m.primary.message)}`);
    out.push(`  ${l.fix}: ${oneLine(m.primary.fix.text)}`);
    if (m.primary.fix.link) out.push(`  ${m.primary.fix.link}`);
  } else if (m.finished && m.verdict) {
    out.push(l.noCause);
  }
  if (m.others.length) {
    out.push('', `${l.otherCauses}:`);
    for (const c of m.others) out.push(`  - ${c.code} — ${oneLine(c.fix.title)}: ${oneLine(c.fix.text)}${c.fix.link ? ` (${c.fix.link})` : ''}`);
  }
  out.push('', `${l.checks}:`);
  for (const c of m.checks) {
    out.push(`${MARK[c.status]} ${c.name}${c.code ? ` — ${c.code}` : ''} (${duration(c.durationMs, m.locale)})`);
    out.push(`       ${oneLine(c.message)}`);
    if (c.explainedBy) out.push(`       ${l.explainedBy}: ${c.explainedBy}`);
    if (c.skippedBecause) out.push(`       ${l.skippedBecause}: ${oneLine(c.skippedBecause)}`);
    if (c.fix && !c.explainedBy) {
      out.push(`       ${l.fix}: ${oneLine(c.fix.text)}`);
      if (c.fix.link) out.push(`       ${c.fix.link}`);
    }
    for (const [k, v] of c.evidence) out.push(`       · ${k}: ${oneLine(v)}`);
  }
  return `${out.join('\n')}\n`;
}
