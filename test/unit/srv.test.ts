import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSrv } from '../../src/checks/mail/expected-records.js';

const want = { target: 'ex.lab.test', port: 443, priority: 0, weight: 0 };

test('the expected record passes', () => {
  const r = compareSrv([{ name: 'EX.lab.test.', port: 443, priority: 0, weight: 0 }], want);
  assert.equal(r.ok, true);
  assert.deepEqual(r.differences, []);
});

test('each differing field is named with expected and actual values', () => {
  const r = compareSrv([{ name: 'mx1.lab.test', port: 8443, priority: 10, weight: 5 }], want);
  assert.equal(r.ok, false);
  assert.deepEqual(r.differences, [
    { field: 'priority', expected: 0, actual: 10 },
    { field: 'weight', expected: 0, actual: 5 },
    { field: 'port', expected: 443, actual: 8443 },
    { field: 'target', expected: 'ex.lab.test', actual: 'mx1.lab.test' },
  ]);
});

test('a wrong target alone is invalid', () => {
  const r = compareSrv([{ name: 'ex.mail.ovh.net', port: 443, priority: 0, weight: 0 }], want);
  assert.deepEqual(r.differences.map((d) => d.field), ['target']);
});

test('with several records, a correct one passes; otherwise the one a client would pick is judged', () => {
  assert.equal(compareSrv([{ name: 'other.test', port: 443, priority: 0, weight: 10 }, { name: 'ex.lab.test', port: 443, priority: 0, weight: 0 }], want).ok, true);
  const r = compareSrv([{ name: 'b.test', port: 443, priority: 5, weight: 0 }, { name: 'a.test', port: 443, priority: 1, weight: 0 }], want);
  assert.equal(r.chosen.name, 'a.test');
});
