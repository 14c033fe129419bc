import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareMx } from '../../src/checks/mail/expected-records.js';

const expected = ['mx1.lab.test', 'mx2.lab.test'];

test('every MX among the expected hosts passes, case and trailing dot ignored', () => {
  const r = compareMx([{ exchange: 'MX1.lab.test.', priority: 10 }, { exchange: 'mx2.lab.test', priority: 20 }], expected);
  assert.deepEqual(r, { ok: true, unexpected: [], nullMx: false });
});

test('a subset of the expected hosts is still valid', () => {
  assert.equal(compareMx([{ exchange: 'mx2.lab.test', priority: 5 }], expected).ok, true);
});

test('one foreign MX makes the set invalid and is named', () => {
  const r = compareMx([{ exchange: 'mx1.lab.test', priority: 10 }, { exchange: 'mx.elsewhere.test', priority: 5 }], expected);
  assert.equal(r.ok, false);
  assert.deepEqual(r.unexpected, ['mx.elsewhere.test']);
});

test('a null MX (RFC 7505) is invalid and flagged', () => {
  const r = compareMx([{ exchange: '', priority: 0 }], expected);
  assert.equal(r.ok, false);
  assert.equal(r.nullMx, true);
  assert.deepEqual(r.unexpected, ['.']);
});

test('no records is never ok', () => {
  assert.equal(compareMx([], expected).ok, false);
});
