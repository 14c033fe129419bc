import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent } from 'undici';
import { accountFindings } from '../../src/checks/account.js';
import { createHttpProvider, httpAccountSchema, mapHttpAccount } from '../../src/providers/http.js';
import { endpointParams } from '../../src/providers/ovh-signed-api.js';
import { mapOvhAccount } from '../../src/providers/ovhcloud.js';
import { ProviderError, type AccountState } from '../../src/providers/provider.js';

const NOW = Date.parse('2025-06-01T00:00:00Z');

test('OVHcloud documents map onto the account state', () => {
  const s = mapOvhAccount(
    { state: 'ok', spamDetected: true, spamTicketNumber: 4242, expirationDate: '2025-05-01T00:00:00Z' },
    { hostname: 'EX3.mail.ovh.net.', lockoutThreshold: 5, lockoutDuration: 30, lockoutObservationWindow: 30 },
    { IMAP: false, POP: true, activeSync: false, webMail: false },
    { isLocked: true },
    { mxRecord: ['MX1.mail.ovh.net.', 'mx2.mail.ovh.net'] },
    NOW,
  );
  assert.equal(s.expired, true);
  assert.equal(s.suspended, false);
  assert.equal(s.spamBlocked, true);
  assert.equal(s.spamTicketNumber, '4242');
  assert.equal(s.locked, true);
  assert.deepEqual(s.lockoutPolicy, { threshold: 5, durationMinutes: 30, observationMinutes: 30 });
  assert.deepEqual(s.disabledProtocols, ['imap', 'activesync', 'owa']);
  assert.equal(s.server, 'ex3.mail.ovh.net');
  assert.deepEqual(s.expectedMx, ['mx1.mail.ovh.net', 'mx2.mail.ovh.net']);
  const healthy = mapOvhAccount({ state: 'ok', spamDetected: false, expirationDate: '2026-01-01T00:00:00Z' }, undefined, undefined, undefined, undefined, NOW);
  assert.deepEqual([healthy.expired, healthy.locked, healthy.spamBlocked, healthy.disabledProtocols], [false, false, false, []]);
  assert.equal(mapOvhAccount({ state: 'suspended' }, undefined, undefined, undefined, undefined, NOW).suspended, true);
});

test('OVH_ENDPOINT: a name goes to the client, a URL becomes host/port/basePath', () => {
  assert.deepEqual(endpointParams('ovh-ca'), { endpoint: 'ovh-ca' });
  assert.deepEqual(endpointParams('https://api.lab.test/1.0'), { host: 'api.lab.test', port: 443, basePath: '/1.0' });
  assert.deepEqual(endpointParams('https://api.lab.test:8443/1.0/'), { host: 'api.lab.test', port: 8443, basePath: '/1.0' });
  assert.throws(() => endpointParams('http://api.lab.test/1.0'));
});

test('generic HTTP contract maps and validates', () => {
  const doc = httpAccountSchema.parse({
    email: 'a@b.test', state: 'suspended', expiresAt: '2025-01-01T00:00:00Z', spamBlocked: false, locked: false,
    disabledProtocols: ['IMAP'], server: 'Ex.Lab.Test', expectedMx: ['mx1.lab.test.'], lockoutPolicy: { threshold: 5, durationMinutes: 30 },
  });
  const s = mapHttpAccount(doc, NOW);
  assert.deepEqual([s.suspended, s.expired, s.server, s.expectedMx, s.disabledProtocols], [true, true, 'ex.lab.test', ['mx1.lab.test'], ['imap']]);
  assert.deepEqual(s.lockoutPolicy, { threshold: 5, durationMinutes: 30 });
  assert.equal(httpAccountSchema.safeParse({ email: 'a@b.test', state: 'gone' }).success, false);
});

test('account findings follow the precedence expired > suspended > locked > spam > protocol', () => {
  const base: AccountState = { state: 'ok', suspended: false, expired: false, spamBlocked: false, locked: false, disabledProtocols: [] };
  assert.deepEqual(accountFindings(base, NOW), []);
  const all = accountFindings({ ...base, state: 'suspended', suspended: true, expirationDate: '2025-01-01T00:00:00Z', locked: true, spamBlocked: true, spamTicketNumber: 'T1', disabledProtocols: ['imap'] }, NOW);
  assert.deepEqual(all.map((f) => f.code), ['ACCOUNT_EXPIRED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_LOCKED', 'ACCOUNT_SPAM_BLOCKED', 'PROTOCOL_DISABLED']);
  assert.match(accountFindings({ ...base, spamBlocked: true, spamTicketNumber: 'SPAM-1' }, NOW)[0].message, /SPAM-1/);
  assert.match(accountFindings({ ...base, locked: true, lockoutPolicy: { threshold: 5, durationMinutes: 30 } }, NOW)[0].message, /5 failed logins for 30 min/);
});

async function withServer(handler: Parameters<typeof createServer>[1], fn: (base: string) => Promise<void>) {
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}/v1`);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

test('generic HTTP provider over a real server: found, not found, refused token, server error', async () => {
  const token = 'unit-test-token-secret';
  const seen: string[] = [];
  await withServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.headers.authorization !== `Bearer ${token}`) { res.writeHead(401).end('{"message":"bad token"}'); return; }
    if (req.url === '/v1/accounts/ok@b.test') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ email: 'ok@b.test', state: 'active', expiresAt: '2030-01-01T00:00:00Z', spamBlocked: true, spamTicket: 'T-9', locked: false, disabledProtocols: [], server: 'ex.lab.test' }));
    } else if (req.url === '/v1/accounts/boom@b.test') {
      res.writeHead(503).end('down');
    } else {
      res.writeHead(404).end();
    }
  }, async (base) => {
    const http = new Agent();
    const p = createHttpProvider({ baseUrl: base, token, http, now: () => NOW });
    const found = await p.lookup('ok@b.test', AbortSignal.timeout(5000));
    assert.equal(found.found, true);
    if (found.found) {
      assert.equal(found.account.spamTicketNumber, 'T-9');
      assert.equal(found.account.server, 'ex.lab.test');
      assert.equal(found.evidence.status, 200);
    }
    assert.equal((await p.lookup('ghost@b.test', AbortSignal.timeout(5000))).found, false);
    await assert.rejects(p.lookup('boom@b.test', AbortSignal.timeout(5000)), (e: unknown) => e instanceof ProviderError && /503/.test(e.message));
    const wrong = createHttpProvider({ baseUrl: base, token: 'nope-nope', http, now: () => NOW });
    await assert.rejects(wrong.lookup('ok@b.test', AbortSignal.timeout(5000)), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.match(e.message, /401/);
      assert.ok(!JSON.stringify({ m: e.message, ev: e.evidence }).includes('nope-nope'));
      return true;
    });
    await assert.rejects(createHttpProvider({ baseUrl: 'http://127.0.0.1:1/v1', http }).lookup('ok@b.test', AbortSignal.timeout(5000)), ProviderError);
    await http.close();
  });
  assert.ok(seen.includes('/v1/accounts/ok@b.test'));
});
