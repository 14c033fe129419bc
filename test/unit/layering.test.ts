// The architecture, held by a test: imports only point down the layers of STYLE.md, checks reach
// the network only through net/ (never a connection library), and no two files import each other
// however indirectly. Reads the source as text: no build needed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Lower numbers are lower layers; a file may import its own layer or any lower one. */
const LAYERS: Record<string, number> = {
  'config': 0, 'platforms': 0, 'queue': 0, 'logging.ts': 0,
  'net': 1,
  'providers': 2,
  'diagnostics': 3,
  'checks': 4,
  'run': 5,
  'store': 6, 'webhooks': 6, 'report': 6, 'metrics.ts': 6, 'tracing.ts': 6,
  'api': 7, 'worker': 7, 'cli': 7, 'app.ts': 7,
  'server.ts': 8, 'worker.ts': 8, 'cli.ts': 8, 'dev.ts': 8,
};

/** Libraries and modules that open connections: only net/ (and the entry points' servers) use them. */
const CONNECTION_MODULES = /^(undici|nodemailer(\/.*)?|imapflow|node:net|node:tls|node:dns(\/promises)?|node:http|node:https|net|tls|dns|http|https)$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []);
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gms)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

const layerOf = (rel: string) => {
  const top = rel.split('/')[0];
  const l = LAYERS[top];
  if (l === undefined) throw new Error(`src/${rel} is in no layer: add "${top}" to LAYERS`);
  return l;
};

const all = files(SRC).map((f) => relative(SRC, f));
const graph = new Map<string, string[]>();
for (const rel of all) {
  const targets: string[] = [];
  for (const spec of imports(join(SRC, rel))) {
    if (!spec.startsWith('.')) continue;
    targets.push(normalize(join(dirname(rel), spec)).replace(/\.js$/, '.ts'));
  }
  graph.set(rel, targets);
}

test('imports only point down the layers', () => {
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      if (layerOf(to) > layerOf(from)) wrong.push(`${from} (layer ${layerOf(from)}) imports ${to} (layer ${layerOf(to)})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('nothing under checks/ imports a connection library or node:net/tls/dns', () => {
  const wrong = all.filter((f) => f.startsWith('checks/'))
    .flatMap((f) => imports(join(SRC, f)).filter((s) => CONNECTION_MODULES.test(s)).map((s) => `${f} imports ${s}`));
  assert.deepEqual(wrong, []);
});

test('no import cycle between files', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') { cycles.push([...path.slice(path.indexOf(f)), f].join(' → ')); return; }
    state.set(f, 'open');
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('the layer table knows every part of src/ (a new folder must be placed)', () => {
  for (const f of all) assert.doesNotThrow(() => layerOf(f), f);
});
