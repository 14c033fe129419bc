// What a report says, decided once for every format: the renderers (text, Markdown, HTML) only
// lay this out. Root cause first, then each check; metadata (the ticket id) at the top.
import type { Code } from '../diagnostics/codes.js';
import type { DiagnosticRecord } from '../diagnostics/record.js';
import { remediationFor } from '../diagnostics/remediation.js';
import type { CheckResult, CheckStatus, Locale, Remediation, Verdict } from '../diagnostics/types.js';
import { LABELS, type Labels } from './labels.js';
import { label, oneLine } from './plain.js';

export interface CauseView {
  code: Code;
  fix: Remediation;
  /** The check that reported it and what it said. */
  check?: string;
  message?: string;
}

export interface CheckView {
  id: string;
  name: string;
  status: CheckStatus;
  statusLabel: string;
  code?: Code;
  message: string;
  evidence: Array<[string, string]>;
  fix?: Remediation;
  explainedBy?: Code;
  skippedBecause?: string;
  durationMs: number;
}

export interface ReportModel {
  locale: Locale;
  l: Labels;
  id: string;
  account: string;
  meta: Array<[string, string]>;
  finished: boolean;
  verdict?: { code: Verdict; label: string };
  primary?: CauseView;
  others: CauseView[];
  error?: { code: string; message: string };
  checks: CheckView[];
}

const MAX_EVIDENCE = 12;
const MAX_VALUE = 300;

export function buildModel(record: DiagnosticRecord, locale: Locale): ReportModel {
  const l = LABELS[locale];
  const fixFor = (code: Code, r?: CheckResult): Remediation => r?.remediation?.[locale] ?? remediationFor(code, locale);
  const byCode = (code: Code) => record.results.find((r) => r.code === code && !r.explainedBy) ?? record.results.find((r) => r.code === code);
  const cause = (code: Code): CauseView => {
    const r = byCode(code);
    return { code, fix: fixFor(code, r), check: r ? l.checkNames[r.id] : undefined, message: r?.message };
  };
  const finished = record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled';
  const meta: Array<[string, string]> = [];
  // Metadata is the client's free text: it reaches tickets through the webhook summary, so it
  // gets no line of its own to inject (renderers escape the rest for their format).
  for (const [k, v] of Object.entries(record.metadata ?? {})) meta.push([`${l.metadata} · ${label(k)}`, oneLine(scalar(v))]);
  meta.push([l.account, record.account], [l.diagnosticId, record.id], [l.status, l.runStatuses[record.status]], [l.platform, record.platform]);
  if (record.server) meta.push([l.server, record.server]);
  meta.push([l.created, when(record.createdAt, locale)]);
  if (record.finishedAt) meta.push([l.finished, when(record.finishedAt, locale)]);
  if (record.durationMs !== undefined) meta.push([l.duration, duration(record.durationMs, locale)]);

  const checks = record.results.map((r): CheckView => ({
    id: r.id,
    name: l.checkNames[r.id] ?? r.id,
    status: r.status,
    statusLabel: l.statuses[r.status],
    code: r.code,
    message: r.message,
    evidence: evidence(r.evidence),
    fix: r.code && r.status !== 'pass' && r.status !== 'skipped' ? fixFor(r.code, r) : undefined,
    explainedBy: r.explainedBy,
    skippedBecause: r.skippedBecause
      ? `${l.checkNames[r.skippedBecause.check] ?? r.skippedBecause.check}${r.skippedBecause.code ? ` (${r.skippedBecause.code})` : ''}`
      : undefined,
    durationMs: r.durationMs,
  }));
  return {
    locale, l, id: record.id, account: record.account, meta, finished,
    verdict: record.verdict ? { code: record.verdict, label: l.verdicts[record.verdict] } : undefined,
    primary: record.primaryCause ? cause(record.primaryCause) : undefined,
    others: (record.causes ?? []).filter((c) => c !== record.primaryCause).map(cause),
    error: record.error,
    checks,
  };
}

function scalar(v: unknown): string {
  const s = typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : s;
}

/** Top-level evidence as short key/value lines (arrays of plain values joined). */
function evidence(e: Record<string, unknown> | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(e ?? {})) {
    if (v === undefined) continue;
    const flat = Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null) ? v.join(', ') : v;
    out.push([k, scalar(flat)]);
    if (out.length >= MAX_EVIDENCE) break;
  }
  return out;
}

export function duration(ms: number, locale: Locale): string {
  if (ms < 1000) return `${ms} ms`;
  const s = (ms / 1000).toFixed(1);
  return `${locale === 'fr' ? s.replace('.', ',') : s} s`;
}

function when(iso: string, locale: Locale): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(d)} UTC`;
}
