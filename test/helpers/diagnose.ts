// One diagnostic through the API as the lab tests run it: POST /v1/diagnostics, wait for the end,
// GET the record; it must have completed and must never contain the password. Plus the readers the
// tests share to look at the record (result, finding) and to explain a failed assertion (summary).
import assert from 'node:assert/strict';
import type { Code } from '../../src/diagnostics/codes.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import type { CheckId, CheckResult, CheckStatus, Locale } from '../../src/diagnostics/types.js';
import { mailbox } from '../lab/scenarios.js';
import type { Service } from './service.js';

export interface Ask {
  account: string;
  /** Default: the lab mailbox's own password. */
  password?: string;
  checks?: CheckId[];
  server?: string;
  platform?: string;
  locale?: Locale;
  /** Extra request headers (e.g. accept-language); not part of the body. */
  headers?: Record<string, string>;
}

/** What a failed assertion prints: enough of the record to see why without re-running. */
export const summary = (d: DiagnosticRecord) => JSON.stringify({
  status: d.status, verdict: d.verdict, primary: d.primaryCause, causes: d.causes, error: d.error,
  results: d.results.map((r) => [r.id, r.status, r.code, r.explainedBy, r.skippedBecause, r.message]),
});

export async function diagnose(s: Service, ask: Ask): Promise<DiagnosticRecord> {
  const { headers = {}, password = mailbox(ask.account).password, ...body } = ask;
  const res = await s.request.post('/v1/diagnostics').set(s.auth).set(headers).send({ ...body, password });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  await s.waitFor(res.body.id, ['completed', 'failed', 'cancelled'], 60_000);
  const got = await s.request.get(res.headers.location).set(s.auth);
  assert.equal(got.status, 200);
  const d = got.body as DiagnosticRecord;
  assert.equal(d.status, 'completed', summary(d));
  assert.ok(!JSON.stringify(d).includes(password), 'the password never appears in the record');
  return d;
}

export function result(d: DiagnosticRecord, id: CheckId): CheckResult {
  const r = d.results.find((x) => x.id === id);
  assert.ok(r, `no ${id} result in ${summary(d)}`);
  return r;
}

/** The check's status and code, and an explanation with a fix in both languages. */
export function finding(d: DiagnosticRecord, id: CheckId, code: Code, status: CheckStatus = 'fail'): CheckResult {
  const r = result(d, id);
  assert.equal(`${r.status}:${r.code}`, `${status}:${code}`, `${id}: ${summary(d)}`);
  assert.ok(r.message.length > 0);
  const { fr, en } = r.remediation ?? {};
  assert.ok(fr?.title && fr.text && en?.title && en.text, `${id}: remediation in fr and en: ${JSON.stringify(r.remediation)}`);
  assert.notEqual(fr.text, en.text, 'the French text is not the English one');
  return r;
}
