// One entry point for every report format: the API route, the webhook summary and the CLI.
import type { DiagnosticRecord } from '../diagnostics/record.js';
import type { Locale } from '../diagnostics/types.js';
import { renderHtmlDocument, renderHtmlFragment } from './html.js';
import { renderMarkdown } from './markdown.js';
import { buildModel } from './model.js';
import { renderText } from './text.js';

export type ReportFormat = 'text' | 'markdown' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['markdown', 'html', 'text'];
export const REPORT_MEDIA_TYPES: Record<ReportFormat, string> = {
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

export interface RenderOptions {
  format: ReportFormat;
  locale: Locale;
  /** HTML only: an `<article>` to embed instead of a whole document. */
  fragment?: boolean;
}

export function renderReport(record: DiagnosticRecord, opts: RenderOptions): string {
  const model = buildModel(record, opts.locale);
  switch (opts.format) {
    case 'text': return renderText(model);
    case 'markdown': return renderMarkdown(model);
    case 'html': return opts.fragment ? renderHtmlFragment(model) : renderHtmlDocument(model);
  }
}
