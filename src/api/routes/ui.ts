// The support page: static assets under /ui/ (plain HTML, one vanilla script, CSS). It holds no
// secret: it calls the public API with the API key the agent types in (kept in sessionStorage).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { REPORT_STYLE } from '../../report/html.js';
import { LABELS } from '../../report/labels.js';

const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
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
  files.set('report.css', { type: 'text/css; charset=utf-8', body: REPORT_STYLE });
  // The checks' display names come from the report's labels: one list to extend when a check is added.
  const names = Object.fromEntries(Object.entries(LABELS).map(([locale, l]) => [locale, l.checkNames]));
  files.set('check-names.js', { type: 'text/javascript; charset=utf-8', body: `'use strict';\nwindow.EXDIAG_CHECK_NAMES = ${JSON.stringify(names)};\n` });

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
