// A check's evidence stays within its byte budget whatever a server sent, with visible markers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capEvidence } from '../../src/run/evidence-budget.js';

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

test('small evidence is returned unchanged', () => {
  const e = { host: 'ex.lab.test', status: 200, transcript: ['220 ready', '250 ok'] };
  const r = capEvidence(e, 1024);
  assert.equal(r.evidence, e);
  assert.equal(r.truncated, undefined);
});

test('a megabyte body is cut with a marker, the small fields kept', () => {
  const e = { url: 'https://autodiscover.x.test/autodiscover/autodiscover.xml', status: 200, body: '<a>'.repeat(350_000) };
  const r = capEvidence(e, 16 * 1024);
  assert.ok(bytes(r.evidence) <= 16 * 1024, `kept ${bytes(r.evidence)} bytes`);
  assert.equal(r.evidence.url, e.url);
  assert.equal(r.evidence.status, 200);
  assert.match(String(r.evidence.body), /…\[truncated \d+ chars\]$/);
  assert.deepEqual(r.truncated, { originalBytes: bytes(e), budgetBytes: 16 * 1024 });
});

test('long arrays keep their head and say how many items were dropped', () => {
  const e = { transcript: Array.from({ length: 5000 }, (_, i) => `250-line ${i}`) };
  const r = capEvidence(e, 4096);
  const t = r.evidence.transcript as string[];
  assert.ok(bytes(r.evidence) <= 4096);
  assert.equal(t[0], '250-line 0');
  assert.match(t[t.length - 1], /^…\[\d+ more items truncated\]$/);
});

test('evidence too wide for any cut becomes a marked preview within budget', () => {
  const e = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
  const r = capEvidence(e, 2048);
  assert.ok(bytes(r.evidence) <= 2048);
  assert.match(String(r.evidence.preview), /…\[truncated\]$/);
});
