// The webhook egress policy: every non-public address is refused in every spelling, on the URL
// and on the address actually connected to (after DNS), unless allowlisted.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { request } from 'undici';
import {
  checkAddress, createEgressAgent, forbiddenAddressReason, guardedLookup, parseIp, validateWebhookUrl,
} from '../../src/webhooks/egress.js';

const strict = { allowHttp: false, allowlist: [] as string[] };
const http = { allowHttp: true, allowlist: [] as string[] };

describe('forbiddenAddressReason', () => {
  const refused = [
    '127.0.0.1', '127.8.9.10', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '169.254.1.1', '100.64.0.1', '224.0.0.1', '255.255.255.255', '192.0.2.10', '::1', '::', 'fe80::1', 'fc00::1',
    'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::1',
    '2001:db8::1',
  ];
  for (const a of refused) it(`refuses ${a}`, () => assert.ok(forbiddenAddressReason(a), a));
  for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
    it(`accepts public ${a}`, () => assert.equal(forbiddenAddressReason(a), undefined));
  }
  it('names metadata endpoints', () => {
    assert.match(forbiddenAddressReason('169.254.169.254')!, /metadata/);
    assert.match(forbiddenAddressReason('fd00:ec2::254')!, /metadata/);
  });
});

describe('parseIp', () => {
  for (const [form, want] of [['2130706433', '127.0.0.1'], ['0177.0.0.1', '127.0.0.1'], ['0x7f.1', '127.0.0.1'], ['0x7f000001', '127.0.0.1'],
    ['127.1', '127.0.0.1'], ['[::ffff:127.0.0.1]', '127.0.0.1'], ['[::1]', '::1']] as const) {
    it(`reads ${form} as ${want}`, () => assert.equal(parseIp(form)?.toString(), want));
  }
  it('leaves host names alone', () => {
    assert.equal(parseIp('example.com'), undefined);
    assert.equal(parseIp('dead.beef'), undefined);
  });
});

describe('validateWebhookUrl', () => {
  it('requires https unless http is allowed', () => {
    assert.deepEqual(validateWebhookUrl('https://hooks.example.com/x', strict), { ok: true });
    assert.equal(validateWebhookUrl('http://hooks.example.com/x', strict).ok, false);
    assert.equal(validateWebhookUrl('http://hooks.example.com/x', http).ok, true);
    assert.equal(validateWebhookUrl('ftp://hooks.example.com/x', http).ok, false);
    assert.equal(validateWebhookUrl('file:///etc/passwd', http).ok, false);
    assert.equal(validateWebhookUrl('not a url', http).ok, false);
    assert.equal(validateWebhookUrl('https://user:pw@hooks.example.com/', strict).ok, false);
  });
  const literals = [
    'https://127.0.0.1/', 'https://2130706433/', 'https://0177.0.0.1/', 'https://0x7f.1/', 'https://0x7f000001/', 'https://127.1/',
    'https://[::1]/', 'https://[::ffff:127.0.0.1]/', 'https://[::ffff:7f00:1]/', 'https://169.254.169.254/latest/meta-data/',
    'https://[fd00:ec2::254]/', 'https://10.0.0.1/', 'https://192.168.0.10:8443/', 'https://100.64.1.1/', 'https://0.0.0.0/',
    'https://[fe80::1]/', 'https://localhost/', 'https://api.localhost/',
  ];
  for (const u of literals) {
    it(`refuses ${u}`, () => {
      const v = validateWebhookUrl(u, strict);
      assert.equal(v.ok, false, u);
      assert.ok(!v.ok && v.reason.length > 0);
    });
  }
  it('accepts public literals and names', () => {
    assert.equal(validateWebhookUrl('https://8.8.8.8/hook', strict).ok, true);
    assert.equal(validateWebhookUrl('https://[2001:4860:4860::8888]/hook', strict).ok, true);
  });
  it('lets allowlisted IPs, CIDRs and hosts through', () => {
    assert.equal(validateWebhookUrl('https://127.0.0.1:9000/', { allowHttp: false, allowlist: ['127.0.0.1'] }).ok, true);
    assert.equal(validateWebhookUrl('https://10.2.3.4/', { allowHttp: false, allowlist: ['10.0.0.0/8'] }).ok, true);
    assert.equal(validateWebhookUrl('https://10.2.3.4/', { allowHttp: false, allowlist: ['10.9.0.0/16'] }).ok, false);
    assert.equal(validateWebhookUrl('https://[::ffff:10.2.3.4]/', { allowHttp: false, allowlist: ['10.0.0.0/8'] }).ok, true);
    assert.equal(validateWebhookUrl('https://localhost/', { allowHttp: false, allowlist: ['localhost'] }).ok, true);
  });
  it('reads the config object directly', () => {
    assert.equal(validateWebhookUrl('http://127.0.0.1/', { WEBHOOK_ALLOW_HTTP: true, WEBHOOK_ALLOWLIST: ['127.0.0.0/8'] }).ok, true);
    assert.equal(validateWebhookUrl('http://127.0.0.1/', { WEBHOOK_ALLOW_HTTP: true, WEBHOOK_ALLOWLIST: [] }).ok, false);
  });
});

describe('checkAddress (after resolution)', () => {
  it('refuses a name resolving to a private address unless the host or address is allowlisted', () => {
    assert.equal(checkAddress(strict, '10.0.0.5', 'hooks.example.com').ok, false);
    assert.equal(checkAddress({ allowlist: ['hooks.example.com'] }, '10.0.0.5', 'hooks.example.com').ok, true);
    assert.equal(checkAddress({ allowlist: ['*.example.com'] }, '10.0.0.5', 'hooks.example.com').ok, true);
    assert.equal(checkAddress({ allowlist: ['*.example.com'] }, '10.0.0.5', 'example.org').ok, false);
  });
});

describe('guardedLookup', () => {
  const lookupOnce = (fn: ReturnType<typeof guardedLookup>, host: string) => new Promise<{ err: Error | null; addrs?: unknown }>((resolve) => {
    fn(host, { all: true }, (err, addrs) => resolve({ err, addrs }));
  });
  it('refuses localhost through the system resolver', async () => {
    const r = await lookupOnce(guardedLookup(strict), 'localhost');
    assert.equal(r.err?.name, 'EgressForbiddenError');
    assert.match(r.err!.message, /localhost resolves to .*loopback/);
  });
  it('refuses a name whose answers include one private address', async () => {
    const fake = (_h: string, cb: (e: null, a: Array<{ address: string; family: number }>) => void) =>
      cb(null, [{ address: '8.8.8.8', family: 4 }, { address: '192.168.0.1', family: 4 }]);
    const r = await lookupOnce(guardedLookup(strict, fake), 'rebind.example');
    assert.equal(r.err?.name, 'EgressForbiddenError');
  });
  it('lets an allowlisted name through', async () => {
    const r = await lookupOnce(guardedLookup({ allowHttp: true, allowlist: ['127.0.0.1'] }), 'localhost');
    assert.equal(r.err, null);
  });
});

describe('createEgressAgent connects only where allowed', () => {
  async function withServer(fn: (port: number) => Promise<void>) {
    let hits = 0;
    const srv = createServer((_req, res) => { hits++; res.end('ok'); });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      await fn((srv.address() as AddressInfo).port);
    } finally {
      await new Promise((r) => srv.close(r));
    }
    return hits;
  }
  it('refuses loopback by IP literal, decimal form and by name; allows it when allowlisted', async () => {
    const hits = await withServer(async (port) => {
      const denied = createEgressAgent({ policy: http, timeoutMs: 2000 });
      for (const u of [`http://127.0.0.1:${port}/`, `http://2130706433:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://localhost:${port}/`]) {
        await assert.rejects(request(u, { dispatcher: denied }), (err: Error & { cause?: Error }) =>
          [err.name, err.cause?.name].includes('EgressForbiddenError'), u);
      }
      await denied.close();
      const allowed = createEgressAgent({ policy: { allowHttp: true, allowlist: ['127.0.0.0/8'] }, timeoutMs: 2000 });
      const res = await request(`http://localhost:${port}/`, { dispatcher: allowed });
      assert.equal(res.statusCode, 200);
      assert.equal(await res.body.text(), 'ok');
      await allowed.close();
    });
    assert.equal(hits, 1, 'only the allowlisted request reached the server');
  });
});
