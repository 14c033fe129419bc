// The provider stand-ins against the contracts they stand in for: every answer the OVHcloud stand-in
// gives the real adapter, for every lab mailbox, follows the published OVHcloud schema
// (test/contracts/ovh-exchange.schema.ts); every answer of the generic stand-in follows the JSON
// Schema written in docs/provider-http.md. A stand-in that drifts from the real API fails here.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formatsModule from 'ajv-formats';
import { Agent, request } from 'undici';
import { createOvhApi, type OvhApi } from '../../src/providers/ovh-signed-api.js';
import { createOvhProvider } from '../../src/providers/ovhcloud.js';
import { httpAccountSchema } from '../../src/providers/http.js';
import type { AccountLookup } from '../../src/providers/provider.js';
import { OVH_ROUTES, OVH_SCHEMAS, type OvhSchemaName } from '../contracts/ovh-exchange.schema.js';
import { makeCerts } from '../lab/certs.js';
import { HOSTS, MAILBOXES, OVH, PROVIDER_HTTP_TOKEN } from '../lab/scenarios.js';
import { startStandins, type Standins } from '../lab/standins/index.js';

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((formatsModule as unknown as { default: FormatsPlugin }).default ?? formatsModule) as FormatsPlugin;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Resolves lab names as the lab's dnsmasq would, so requests go out by name (SNI, Host). */
const labLookup: LookupFunction = (hostname, options, cb) => {
  const address = HOSTS[hostname];
  const done = cb as (...args: unknown[]) => void;
  if (!address) return done(Object.assign(new Error(`lab: no host ${hostname}`), { code: 'ENOTFOUND' }));
  if ((options as { all?: boolean }).all) return done(null, [{ address, family: 4 }]);
  return done(null, address, 4);
};

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const validators = Object.fromEntries(Object.entries(OVH_SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)])) as Record<OvhSchemaName, ValidateFunction>;
const explain = (v: ValidateFunction) => ajv.errorsText(v.errors, { separator: '; ' });

interface Seen { path: string; status: number; body: unknown }

let dir: string;
let standins: Standins;
let http: Agent;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'contracts-'));
  const certs = await makeCerts(dir);
  // Port 0: the test may run beside a lab that already holds 443.
  standins = await startStandins({ dir, caCertPath: certs.ca, cert: certs.main, expiredCert: certs.expired, logFile: join(dir, 'http-auth.log'), port: 0 });
  http = new Agent({ connect: { ca: await readFile(certs.ca), lookup: labLookup } });
});

after(async () => {
  await http?.close();
  await standins?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('OVHcloud stand-in ↔ the published /email/exchange schema', () => {
  const seen: Seen[] = [];
  const lookups = new Map<string, AccountLookup>();
  /** The signed client the adapter uses, recording every answer it gets. */
  const recording = (): OvhApi => {
    const api = createOvhApi({ endpoint: `https://api.lab.test:${standins.port}/1.0`, appKey: OVH.appKey, appSecret: OVH.appSecret, consumerKey: OVH.consumerKey, http });
    return {
      baseUrl: api.baseUrl,
      async get(path, signal) {
        const answer = await api.get(path, signal);
        seen.push({ path, status: answer.status, body: answer.body });
        return answer;
      },
    };
  };

  before(async () => {
    const api = recording();
    const provider = createOvhProvider({ endpoint: api.baseUrl, appKey: OVH.appKey, appSecret: OVH.appSecret, consumerKey: OVH.consumerKey, http, api });
    // Every path the adapter calls, for every lab mailbox (and one no service holds).
    for (const m of [...MAILBOXES, { address: 'nobody@nowhere.test' }]) lookups.set(m.address, await provider.lookup(m.address, AbortSignal.timeout(10_000)));
    // The routes the adapter does not read yet but the stand-in serves, each object they list.
    const svc = `/email/exchange/${OVH.organization}/service/${OVH.service}`;
    const signal = AbortSignal.timeout(10_000);
    for (const list of ['authenticationPolicy', 'authorizedIp']) {
      const ids = (await api.get(`${svc}/${list}`, signal)).body as Array<string | number>;
      for (const id of ids) await api.get(`${svc}/${list}/${encodeURIComponent(String(id))}`, signal);
    }
    await api.get(`${svc}/account?primaryEmailAddress=${encodeURIComponent('%@healthy.test')}`, signal);
    await api.get(`${svc}/account/healthy@healthy.test/nosuchroute`, signal);
    const time = await request(`https://api.lab.test:${standins.port}/1.0/auth/time`, { dispatcher: http });
    seen.push({ path: '/auth/time', status: time.statusCode, body: await time.body.json() });
  });

  test('every answer follows the schema of its route (200) or the error body (other statuses)', () => {
    assert.ok(seen.length > MAILBOXES.length * 4, `the adapter made ${seen.length} calls`);
    const wrong: string[] = [];
    for (const s of seen) {
      const path = s.path.split('?')[0];
      const route = OVH_ROUTES.find(([re]) => re.test(path));
      const name: OvhSchemaName | undefined = s.status === 200 ? route?.[1] : 'error';
      if (!name) {
        wrong.push(`${s.path}: HTTP 200 on a route with no schema (add it to test/contracts/ovh-exchange.schema.ts)`);
        continue;
      }
      const v = validators[name];
      if (!v(s.body)) wrong.push(`${s.path} (${name}, HTTP ${s.status}): ${explain(v)}`);
    }
    assert.deepEqual([...new Set(wrong)], []);
  });

  test('every object schema was exercised, errors included', () => {
    const used = new Set(seen.map((s) => (s.status === 200 ? OVH_ROUTES.find(([re]) => re.test(s.path.split('?')[0]))?.[1] : 'error')));
    assert.deepEqual(Object.keys(OVH_SCHEMAS).filter((n) => !used.has(n as OvhSchemaName)), []);
  });

  test('the adapter reads the expected records, not what DNS holds', () => {
    const elsewhere = lookups.get('user@mx-elsewhere.test')!;
    assert.ok(elsewhere.found);
    assert.deepEqual(elsewhere.account.expectedMx, ['mx1.lab.test', 'mx2.lab.test']);
    assert.deepEqual(elsewhere.account.providerDns?.mx, { valid: false, observed: ['mx.elsewhere.test.'], expected: ['mx1.lab.test', 'mx2.lab.test'] });
    assert.deepEqual(elsewhere.account.expectedSrv, { priority: 0, weight: 0, port: 443, target: 'ex.lab.test' });
    assert.equal(elsewhere.account.expectedSpf, 'v=spf1 include:spf.lab.test -all');
  });

  test('account states and tasks come through as phases and pending tasks', () => {
    const phase = (a: string) => { const l = lookups.get(a)!; return l.found ? l.account.phase : 'not found'; };
    assert.deepEqual(['healthy@healthy.test', 'suspended@healthy.test', 'creating@healthy.test', 'migrating@healthy.test', 'ghost@healthy.test', 'nobody@nowhere.test'].map(phase),
      ['active', 'suspended', 'creating', 'migrating', 'not found', 'not found']);
    const pw = lookups.get('pwchange@healthy.test')!;
    assert.ok(pw.found);
    assert.deepEqual(pw.account.pendingTasks?.map((t) => [t.function, t.status]), [['changePassword', 'todo']], 'done tasks are left out');
    const healthy = lookups.get('healthy@healthy.test')!;
    assert.ok(healthy.found);
    assert.deepEqual(healthy.account.pendingTasks, []);
  });
});

describe('a correct password that is refused: the policy and the authorised IPs, through the adapter', () => {
  test('the account\'s own policy, the service default, and each service\'s authorised IPs', async () => {
    const api = createOvhApi({ endpoint: `https://api.lab.test:${standins.port}/1.0`, appKey: OVH.appKey, appSecret: OVH.appSecret, consumerKey: OVH.consumerKey, http });
    const provider = createOvhProvider({ endpoint: api.baseUrl, appKey: OVH.appKey, appSecret: OVH.appSecret, consumerKey: OVH.consumerKey, http, api });
    const look = async (a: string) => { const l = await provider.lookup(a, AbortSignal.timeout(10_000)); assert.ok(l.found, a); return l.account; };
    const legacy = await look('legacyimap@healthy.test');
    assert.deepEqual(legacy.authPolicy, { id: '2', source: 'account', legacyAuthBlocked: ['imap'], flags: ['blockLegacyAuthImap'] });
    assert.deepEqual(legacy.ipRestrictions?.restricted, { HTTPS: ['127.0.0.0/8'], IMAP: ['127.0.0.0/8'], IMAPS: ['127.0.0.0/8'], POP: ['127.0.0.0/8'], POPS: ['127.0.0.0/8'], SMTP: ['127.0.0.0/8'], SMTPS: ['127.0.0.0/8'] });
    const restricted = await look('user@iprestricted.test');
    assert.deepEqual(restricted.authPolicy, { id: '1', source: 'service-default', legacyAuthBlocked: [], flags: [] });
    assert.deepEqual(restricted.ipRestrictions?.restricted, { HTTPS: ['203.0.113.0/24'], IMAPS: ['203.0.113.0/24'] });
  });
});

describe('generic HTTP stand-in ↔ docs/provider-http.md', () => {
  let validate: ValidateFunction;
  before(async () => {
    const doc = await readFile(join(ROOT, 'docs/provider-http.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## JSON Schema'));
    const block = /```json\n([\s\S]*?)\n```/.exec(section);
    assert.ok(block, 'docs/provider-http.md has a "## JSON Schema" section with a json block');
    validate = ajv.compile(JSON.parse(block[1]) as object);
  });

  test('every 200 answer follows the documented schema and the service accepts it; 404 for the unknown', async () => {
    const wrong: string[] = [];
    for (const m of MAILBOXES) {
      const res = await request(`https://provider.lab.test:${standins.port}/v1/accounts/${encodeURIComponent(m.address).replace(/%40/g, '@')}`, {
        dispatcher: http, headers: { authorization: `Bearer ${PROVIDER_HTTP_TOKEN}`, accept: 'application/json' },
      });
      const body = await res.body.json();
      if (!m.provider) {
        if (res.statusCode !== 404) wrong.push(`${m.address}: HTTP ${res.statusCode}, expected 404`);
        continue;
      }
      if (res.statusCode !== 200) wrong.push(`${m.address}: HTTP ${res.statusCode}`);
      else if (!validate(body)) wrong.push(`${m.address}: ${explain(validate)}`);
      else if (!httpAccountSchema.safeParse(body).success) wrong.push(`${m.address}: the service's parser refuses it`);
    }
    assert.deepEqual(wrong, []);
  });

  test('each documented state is served for the matching lab mailbox', async () => {
    const state = async (address: string) => {
      const res = await request(`https://provider.lab.test:${standins.port}/v1/accounts/${address}`, { dispatcher: http, headers: { authorization: `Bearer ${PROVIDER_HTTP_TOKEN}` } });
      return ((await res.body.json()) as { state: string }).state;
    };
    assert.deepEqual(await Promise.all(['healthy@healthy.test', 'suspended@healthy.test', 'creating@healthy.test', 'migrating@healthy.test'].map(state)),
      ['active', 'suspended', 'provisioning', 'migrating']);
  });
});
