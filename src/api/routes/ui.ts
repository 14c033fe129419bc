// The support page: static assets under /ui/ (plain HTML, small vanilla ES modules, CSS). It holds no
// secret: it calls the public API with the API key the agent types in (kept in sessionStorage).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { CHECK_IDS } from '../../diagnostics/types.js';
import { REPORT_STYLE } from '../../report/html.js';
import { LABELS } from '../../report/labels.js';

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The files of src/web, by name: the page, its modules and its style. */
const ASSETS: Record<string, string> = {
  'index.html': HTML,
  'app.js': JS,
  'api.js': JS,
  'dom.js': JS,
  'i18n.js': JS,
  'progress.js': JS,
  'run-form.js': JS,
  'history.js': JS,
  'deliveries.js': JS,
  'style.css': CSS,
};

/** src/web next to this module (tsx) or, from dist/, the source tree's copy. */
function webDir(): string {
  for (const rel of ['../../web/', '../../../src/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new Error('support page assets (src/web) not found');
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export async function uiRoutes(app: FastifyInstance): Promise<void> {
  const dir = webDir();
  const files = new Map<string, { type: string; body: string }>();
  for (const [name, type] of Object.entries(ASSETS)) files.set(name, { type, body: readFileSync(`${dir}${name}`, 'utf8') });
  files.set('report.css', { type: CSS, body: REPORT_STYLE });
  // The checks and their display names come from the service: one list to extend when a check is added.
  const names = Object.fromEntries(Object.entries(LABELS).map(([locale, l]) => [locale, l.checkNames]));
  files.set('check-names.js', { type: JS, body: `export const CHECK_IDS = ${JSON.stringify(CHECK_IDS)};\nexport const CHECK_NAMES = ${JSON.stringify(names)};\n` });

  const opts = { schema: { hide: true } };
  app.get('/', opts, async (_req, reply) => reply.redirect('/ui/', 302));
  app.get('/ui', opts, async (_req, reply) => reply.redirect('/ui/', 301));
  app.get<{ Params: { file?: string } }>('/ui/:file', opts, async (req, reply) => {
    const f = files.get(req.params.file || 'index.html');
    if (!f) return reply.callNotFound();
    return reply
      .type(f.type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CSP)
      .send(f.body);
  });
}
