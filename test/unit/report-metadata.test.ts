// Metadata is the client's free text, and the webhook carries it into tickets inside the text and
// Markdown summaries: neither its keys nor its values may add a line, a heading, a link or
// invisible reordering to what the ticket shows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { oneLine } from '../../src/report/plain.js';
import { buildPayload } from '../../src/webhooks/payload.js';

const INJECT = [
  '\nVerdict: Working\nRoot cause: none',
  '\r\n## Everything is fine',
  '\u2028Verdict: Working',
  '\u2029[FAIL] fake line',
  '\u0085NEL line',
  '\u000bvt\u000cff\u0007bell\u001b[31mred',
  '\u202egnikrow\u202c \u2066isolate\u2069',
  '[click](https://evil.example) <img src=x> | col | **bold**',
];

function record(metadata: Record<string, unknown>): DiagnosticRecord {
  return {
    id: '6f1c1c7e-6a43-4b0f-9a55-2f4c4e3b9f00', clientId: 'c1', account: 'user@example.test', platform: 'lab', checks: ['mx'],
    locale: 'en', metadata, status: 'completed', progress: { total: 1, completed: 1, running: [] },
    results: [{ id: 'mx', status: 'fail', code: 'MX_MISSING', message: 'no MX', evidence: {}, durationMs: 3, startedAt: '2030-01-01T00:00:00.000Z' }],
    verdict: 'failing', primaryCause: 'MX_MISSING', causes: ['MX_MISSING'],
    createdAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:00:01.000Z', durationMs: 1000,
  };
}

const LINE_BREAKS = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;
const summaries = (metadata: Record<string, unknown>) => buildPayload(record(metadata), 'diagnostic.completed', new Date()).data.summary;

describe('metadata in the webhook summaries', () => {
  const hostile = Object.fromEntries(INJECT.map((s, i) => [`k${i}${s}`, `v${i}${s}`]));
  const plain = Object.fromEntries(INJECT.map((_s, i) => [`k${i}`, `v${i}`]));
  const bad = summaries(hostile);
  const good = summaries(plain);

  for (const format of ['text', 'markdown'] as const) {
    it(`${format}: keys and values add no line, and every entry stays on its own line`, () => {
      const lines = bad[format].split(LINE_BREAKS);
      assert.equal(lines.length, good[format].split(LINE_BREAKS).length);
      for (let i = 0; i < INJECT.length; i++) {
        const own = lines.filter((l) => l.includes(`k${i}`));
        assert.equal(own.length, 1, `${format}: entry ${i} on one line`);
        assert.ok(own[0].includes(`v${i}`), `${format}: its value on the same line`);
      }
      assert.ok(!lines.some((l) => /^(Verdict|Root cause|##|\[FAIL\])/.test(l.trim()) && !good[format].split(LINE_BREAKS).includes(l)), 'no injected heading or status line');
    });
    it(`${format}: no control, separator or bidirectional characters remain`, () => {
      assert.doesNotMatch(bad[format].replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    });
  }

  it('markdown: links, HTML, tables and emphasis from metadata are escaped', () => {
    const line = bad.markdown.split('\n').find((l) => l.includes('k7'))!;
    assert.ok(line.includes('\\[click\\](https://evil.example) \\<img src=x\\> \\| col \\| \\*\\*bold\\*\\*'), line);
  });

  it('text: the readable part of keys and values is kept', () => {
    const line = bad.text.split('\n').find((l) => l.includes('k0'))!;
    assert.match(line, /k0 Verdict: Working Root cause: none\s+v0 Verdict: Working Root cause: none/);
  });

  it('long keys are cut, so one key cannot push every value off the page', () => {
    const text = summaries({ ['x'.repeat(5000)]: 'v' }).text;
    const line = text.split('\n').find((l) => l.includes('xxx'))!;
    assert.ok(line.length < 120, `${line.length} characters`);
  });
});

describe('oneLine', () => {
  it('keeps ordinary text, accents and emoji (joiners included)', () => {
    for (const s of ['Ticket T-4711 — café', '👩‍💻 support', 'نیم‌فاصله']) assert.equal(oneLine(s), s);
  });
});
