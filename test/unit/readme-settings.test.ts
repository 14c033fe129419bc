// Every setting of the environment schema is in the README's configuration table, and the table
// names no setting the service does not read: a newcomer configures from that table.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { envSchema } from '../../src/config/schema.js';

test('the README configuration table lists exactly the settings of src/config/schema.ts', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Configuration');
  const end = readme.indexOf('\n## ', start + 1);
  assert.ok(start >= 0 && end > start, 'README has a Configuration section');
  const rows = readme.slice(start, end).split('\n').filter((l) => l.startsWith('| `'));
  const documented = new Set(rows.flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])));
  // The schema is an object refined and transformed (a zod pipe): its input side holds the fields.
  const read = Object.keys((envSchema as unknown as { in: { shape: Record<string, unknown> } }).in.shape);
  assert.ok(read.length > 40, `${read.length} settings read from the schema`);
  assert.deepEqual(read.filter((k) => !documented.has(k)), [], 'settings missing from the README table');
  assert.deepEqual([...documented].filter((k) => !read.includes(k)), [], 'README rows for settings the service does not read');
});
