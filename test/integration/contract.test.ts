// openapi.yaml is the contract: every route the app registers is documented and every documented
// one registered; real responses (a real run through the queue and worker) validate against the
// spec's schemas; the enums match the code's catalogues.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Response } from 'supertest';
import { HTTP_METHODS, loadOpenApi, toFastifyPath } from '../../src/api/openapi.js';
import { PROBLEM_CODES } from '../../src/api/problem-codes.js';
import { createAjv } from '../../src/api/validation.js';
import { ALL_CODES } from '../../src/diagnostics/codes.js';
import type { DiagnosticRecord } from '../../src/diagnostics/record.js';
import { CHECK_IDS, CHECK_STATUSES } from '../../src/diagnostics/types.js';
import { buildPayload, eventFor, WEBHOOK_EVENTS } from '../../src/webhooks/payload.js';
import { mailbox } from '../lab/scenarios.js';
import { startService, type Service } from '../helpers/service.js';

const { doc, text } = loadOpenApi();
const ajv = createAjv(doc, false);
const underLab = Boolean(process.env.LAB_DIR);
let s: Service;

before(async () => {
  // Without the lab, DNS points at a closed port: a real run that ends quickly with DNS errors.
  s = await startService(underLab ? { PROVIDER: 'none', THROTTLE_MAX: '2' } : { DNS_SERVERS: '127.0.0.1:9', THROTTLE_MAX: '2' });
});
after(() => s.close());

const esc = (p: string) => p.replaceAll('~', '~0').replaceAll('/', '~1');

/** Validates status, content type, body and documented headers of `res` against the spec. */
function assertDocumented(res: Response, path: string, method: (typeof HTTP_METHODS)[number]) {
  const op = (doc.paths[path] as Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }> }>)[method];
  assert.ok(op, `${method} ${path} is documented`);
  let response = op.responses[String(res.status)];
  assert.ok(response, `${method.toUpperCase()} ${path} documents status ${res.status} (body ${JSON.stringify(res.body).slice(0, 300)})`);
  let pointer = `#/paths/${esc(path)}/${method}/responses/${res.status}`;
  if (response.$ref) {
    pointer = response.$ref;
    response = doc.components.responses![response.$ref.split('/').pop()!] as typeof response;
  }
  const type = String(res.headers['content-type'] ?? '').split(';')[0].trim();
  const content = response.content ?? {};
  assert.ok(type in content, `${method.toUpperCase()} ${path} ${res.status}: content type ${type} documented (${Object.keys(content).join(', ')})`);
  if (type.endsWith('json')) {
    const validate = ajv.compile({ $ref: `openapi.yaml${pointer}/content/${esc(type)}/schema` });
    assert.ok(validate(res.body), `${method.toUpperCase()} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body).slice(0, 1000)}`);
  }
  for (const h of Object.keys(response.headers ?? {})) assert.ok(res.headers[h.toLowerCase()], `${method.toUpperCase()} ${path} ${res.status}: header ${h}`);
}

function validateSchema(name: string, value: unknown) {
  const validate = ajv.compile({ $ref: `openapi.yaml#/components/schemas/${name}` });
  assert.ok(validate(value), `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 1000)}`);
}

test('every registered route is documented, and every documented one registered', () => {
  const documented = Object.entries(doc.paths).flatMap(([p, item]) =>
    HTTP_METHODS.filter((m) => m in (item as object)).map((m) => `${m.toUpperCase()} ${toFastifyPath(p)}`)).sort();
  const registered = [...new Set(s.app.routeCatalogue
    .filter((r) => !r.hidden && !r.url.startsWith('/docs'))
    .map((r) => `${r.method} ${r.url}`))].sort();
  assert.deepEqual(registered, documented);
});

test('the spec\'s enums are the code\'s catalogues', () => {
  const enumOf = (n: string) => (doc.components.schemas[n] as { enum: string[] }).enum;
  assert.deepEqual(enumOf('CheckId'), [...CHECK_IDS]);
  assert.deepEqual([...enumOf('Code')].sort(), [...ALL_CODES].sort());
  assert.deepEqual(enumOf('CheckStatus'), [...CHECK_STATUSES]);
  const hookType = (doc.components.schemas.WebhookPayload as { properties: { type: { enum: string[] } } }).properties.type.enum;
  assert.deepEqual(hookType, [...WEBHOOK_EVENTS]);
});

test('the contract is served: /openapi.yaml verbatim, /docs (Swagger UI) and its JSON', async () => {
  const y = await s.request.get('/openapi.yaml');
  assert.equal(y.status, 200);
  assert.equal(y.text, readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8'));
  assert.equal(y.text, text);
  assertDocumented(y, '/openapi.yaml', 'get');
  const ui = await s.request.get('/docs/').redirects(2);
  assert.equal(ui.status, 200);
  assert.match(ui.text, /swagger/i);
  const json = await s.request.get('/docs/json');
  assert.equal(json.body.openapi, '3.1.0');
  assert.deepEqual(Object.keys(json.body.paths), Object.keys(doc.paths));
});

test('a real run\'s responses validate against the spec', async () => {
  const account = underLab ? 'healthy@healthy.test' : 'contract@example.test';
  const password = underLab ? mailbox(account).password : 'Contract-pw-1';
  const checks = underLab ? ['mx', 'srv', 'imap'] : ['mx', 'srv'];
  const created = await s.request.post('/v1/diagnostics').set(s.auth).send({ account, password, checks, metadata: { ticket: 'C-1' }, locale: 'en' });
  assertDocumented(created, '/v1/diagnostics', 'post');
  assert.equal(created.status, 202);
  const early = await s.request.get(created.headers.location).set(s.auth);
  assertDocumented(early, '/v1/diagnostics/{id}', 'get');
  const conflict = await s.request.post('/v1/diagnostics').set(s.auth).send({ account, password, checks });
  if (conflict.status === 409) assertDocumented(conflict, '/v1/diagnostics', 'post');
  await s.waitFor(created.body.id, ['completed', 'failed'], 60000);
  const done = await s.request.get(created.headers.location).set(s.auth);
  assertDocumented(done, '/v1/diagnostics/{id}', 'get');
  assert.equal(done.body.status, 'completed');
  assert.equal(done.body.results.length, checks.length);
  assertDocumented(await s.request.get('/v1/diagnostics').set(s.auth), '/v1/diagnostics', 'get');
  assertDocumented(await s.request.delete(created.headers.location).set(s.auth), '/v1/diagnostics/{id}', 'delete');

  // The events stream carries the documented shapes too.
  const events = await s.request.get(`${created.headers.location}/events`).set(s.auth).buffer(true).parse((res, cb) => {
    let data = '';
    res.on('data', (c: Buffer) => { data += c.toString(); });
    res.on('end', () => cb(null, data));
  });
  assertDocumented(events, '/v1/diagnostics/{id}/events', 'get');
  const frames = String(events.body).split('\n\n').filter((f) => f.includes('event: '));
  const parsed = frames.map((f) => ({ type: /event: (.*)/.exec(f)![1], data: JSON.parse(/data: (.*)/.exec(f)![1]) as Record<string, unknown> }));
  assert.equal(parsed.at(-1)?.type, 'diagnostic.finished');
  validateSchema('Diagnostic', parsed.at(-1)!.data);
  for (const e of parsed.filter((x) => x.type === 'check.finished')) validateSchema('CheckResult', e.data.result);
  assert.equal(parsed.filter((x) => x.type === 'check.started').length, checks.length);

  // The webhook a finished run sends is the documented one (spec `webhooks`).
  const stored = JSON.parse((await s.redis.get(`${s.config.REDIS_PREFIX}:diag:${created.body.id}`))!) as DiagnosticRecord;
  validateSchema('WebhookPayload', JSON.parse(JSON.stringify(buildPayload(stored, eventFor(stored)!, new Date()))));

  const report = await s.request.get(`${created.headers.location}/report`).set(s.auth);
  assertDocumented(report, '/v1/diagnostics/{id}/report', 'get');
  const deliveries = await s.request.get(`${created.headers.location}/deliveries`).set(s.auth);
  assertDocumented(deliveries, '/v1/diagnostics/{id}/deliveries', 'get');
  const resend = await s.request.post(`${created.headers.location}/deliveries`).set(s.auth);
  assertDocumented(resend, '/v1/diagnostics/{id}/deliveries', 'post');
});

test('problems validate against the spec', async () => {
  const post = () => s.request.post('/v1/diagnostics').set(s.auth);
  assertDocumented(await s.request.post('/v1/diagnostics').send({}), '/v1/diagnostics', 'post');
  assertDocumented(await post().send({ account: 'x', password: 'p' }), '/v1/diagnostics', 'post');
  assertDocumented(await post().set('content-type', 'text/plain').send('hello'), '/v1/diagnostics', 'post');
  assertDocumented(await post().send({ account: 'p@x.test', password: 'p', platform: 'nowhere' }), '/v1/diagnostics', 'post');
  assertDocumented(await s.request.get('/v1/diagnostics/00000000-0000-4000-8000-000000000000').set(s.auth), '/v1/diagnostics/{id}', 'get');
  assertDocumented(await s.request.get('/v1/diagnostics?limit=1000').set(s.auth), '/v1/diagnostics', 'get');
  // The throttle (THROTTLE_MAX=2): two accepted diagnostics of one account, then 429.
  const account = 'throttle@contract.test';
  for (let i = 0; i < 2; i++) {
    const r = await post().send({ account, password: 'p', checks: ['mx'] });
    assert.equal(r.status, 202);
    await s.waitFor(r.body.id, ['completed', 'failed'], 30000);
  }
  const throttled = await post().send({ account, password: 'p', checks: ['mx'] });
  assert.equal(throttled.status, 429);
  assertDocumented(throttled, '/v1/diagnostics', 'post');
});

test('operator endpoints validate against the spec', async () => {
  assertDocumented(await s.request.get('/livez'), '/livez', 'get');
  assertDocumented(await s.request.get('/readyz'), '/readyz', 'get');
  assertDocumented(await s.request.get('/metrics'), '/metrics', 'get');
});

test('Problem.code is the enum of every code the API answers with', () => {
  const schemas = doc.components.schemas as Record<string, { enum?: string[]; properties?: Record<string, { $ref?: string }> }>;
  assert.equal(schemas.Problem.properties?.code?.$ref, '#/components/schemas/ProblemCode');
  assert.deepEqual([...schemas.ProblemCode.enum!].sort(), [...PROBLEM_CODES].sort());
  // ProblemError takes a ProblemCode (the compiler keeps the code inside the catalogue); each
  // catalogue entry must also be answered somewhere in src/api, so the enum lists no dead code.
  const dir = new URL('../../src/api/', import.meta.url).pathname;
  const sources = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('problem-codes.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
  const unused = PROBLEM_CODES.filter((c) => !sources.includes(`'${c}'`));
  assert.deepEqual(unused, [], 'problem codes in the catalogue that no API source answers with');
});

test('every example in the contract validates against its schema', () => {
  let n = 0;
  const visit = (pointer: string, node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.schema && ('example' in o || 'examples' in o)) {
      type Example = { value?: unknown; $ref?: string };
      const named = (doc.components as { examples?: Record<string, Example> }).examples ?? {};
      const resolve = (e: Example) => (e.$ref ? named[e.$ref.split('/').pop()!] : e);
      const values = 'example' in o ? [o.example] : Object.values(o.examples as Record<string, Example>).map((e) => resolve(e)?.value);
      const validate = ajv.compile({ $ref: `openapi.yaml${pointer}/schema` });
      for (const v of values) {
        n++;
        assert.ok(validate(v), `${pointer}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'schema') visit(`${pointer}/${esc(k)}`, v);
  };
  visit('#/paths', doc.paths);
  visit('#/components/responses', doc.components.responses);
  // The main operations carry examples: start, read, list, cancel, problems.
  assert.ok(n >= 8, `only ${n} examples`);
  for (const [path, method] of [['/v1/diagnostics', 'post'], ['/v1/diagnostics', 'get'], ['/v1/diagnostics/{id}', 'get']] as const) {
    const op = (doc.paths[path] as Record<string, { responses: Record<string, { content?: Record<string, { examples?: object; example?: unknown }> }> }>)[method];
    const ok = Object.values(op.responses).find((r) => r.content?.['application/json']);
    const media = ok?.content?.['application/json'];
    assert.ok(media?.examples ?? media?.example, `${method.toUpperCase()} ${path} has a response example`);
  }
});

test('every 4xx the API answers to a malformed or unauthorised request is documented', async () => {
  const uuid = '00000000-0000-4000-8000-000000000000';
  const ops = Object.entries(doc.paths).flatMap(([p, item]) =>
    HTTP_METHODS.filter((m) => m in (item as object)).map((m) => ({ path: p, method: m })))
    .filter((o) => o.path.startsWith('/v1/'));
  assert.ok(ops.length >= 7);
  for (const { path, method } of ops) {
    const url = (id: string) => path.replace('{id}', id);
    const call = (u: string) => s.request[method](u);
    const withBody = method === 'post';
    const attempts: Array<[string, () => Promise<Response>]> = [
      ['no credentials', () => call(url(uuid))],
      ['unknown API key', () => call(url(uuid)).set('authorization', 'Bearer not-a-key-at-all-000')],
      ['unknown query parameter', () => call(`${url(uuid)}?frobnicate=1`).set(s.auth)],
    ];
    if (path.includes('{id}')) {
      attempts.push(['unknown id', () => call(url(uuid)).set(s.auth)], ['malformed id', () => call(url('not-a-uuid')).set(s.auth)]);
    }
    if (withBody) {
      attempts.push(
        ['text body', () => call(url(uuid)).set(s.auth).set('content-type', 'text/plain').send('hello')],
        ['invalid JSON', () => call(url(uuid)).set(s.auth).set('content-type', 'application/json').send('{"a": ')],
        ['too large', () => call(url(uuid)).set(s.auth).send({ blob: 'x'.repeat(300 * 1024) })],
      );
    }
    for (const [what, send] of attempts) {
      const res = await send();
      assert.ok(res.status >= 400 && res.status < 500, `${method.toUpperCase()} ${path} (${what}): ${res.status}`);
      assertDocumented(res, path, method);
    }
  }
});

test('a webhookUrl without a signing secret is refused (WEBHOOK_SECRET_MISSING), as documented', async () => {
  // The test clients have no webhook secret: a webhook could never be signed, so never sent.
  const res = await s.request.post('/v1/diagnostics').set(s.auth)
    .send({ account: 'hook@contract.test', password: 'p', checks: ['mx'], webhookUrl: 'https://hooks.example.com/exdiag' });
  assert.equal(res.status, 422);
  assert.equal(res.body.code, 'WEBHOOK_SECRET_MISSING');
  assertDocumented(res, '/v1/diagnostics', 'post');
  assert.deepEqual(res.body.errors, [{ field: 'body.webhookUrl', message: 'this client has no webhook signing secret' }]);
  const list = await s.request.get('/v1/diagnostics?account=hook@contract.test').set(s.auth);
  assert.deepEqual(list.body.items, [], 'nothing was queued');
});
