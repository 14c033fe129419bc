import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent } from 'undici';
import { accountFindings } from '../../src/checks/account.js';
import { createHttpProvider, httpAccountSchema, mapHttpAccount } from '../../src/providers/http.js';
import { endpointParams } from '../../src/providers/ovh-signed-api.js';
import { expectedSpfRecord, mapOvhAccount, mxEntryHost, OVH_ACCOUNT_STATES, parseExpectedSrv } from '../../src/providers/ovh-records.js';
import { ProviderError, type AccountState } from '../../src/providers/provider.js';

const NOW = Date.parse('2025-06-01T00:00:00Z');

test('OVHcloud documents map onto the account state', () => {
  const s = mapOvhAccount({
    account: { state: 'ok', spamDetected: true, spamTicketNumber: 4242, expirationDate: '2025-05-01T00:00:00Z' },
    service: { hostname: 'EX3.mail.ovh.net.', lockoutThreshold: 5, lockoutDuration: 30, lockoutObservationWindow: 30, state: 'ok' },
    protocol: { IMAP: false, POP: true, activeSync: false, webMail: false },
    diagnosis: { isLocked: true },
    // What DNS holds (mxRecord) is not what the platform expects (expectedMX): the adapter reads the latter.
    domain: {
      mxRecord: ['mx.other-provider.example.'], expectedMX: ['MX1.mail.ovh.net.', 'mx2.mail.ovh.net'], mxIsValid: false,
      srvRecord: null, expectedAutodiscoverSRV: '_autodiscover._tcp IN SRV 0 0 443 ex3.mail.ovh.net.', srvIsValid: false,
      spfRecord: ['v=spf1 -all'], expectedSPF: 'v=spf1 include:mx.ovh.com ~all', spfIsValid: false,
    },
    tasks: [
      { id: 7, function: 'changePassword', status: 'doing', todoDate: '2025-05-31T23:50:00Z' },
      { id: 6, function: 'setAccount', status: 'done', todoDate: '2025-05-30T00:00:00Z', finishDate: '2025-05-30T00:01:00Z' },
    ],
  }, NOW);
  assert.equal(s.expired, true);
  assert.equal(s.phase, 'active');
  assert.equal(s.spamBlocked, true);
  assert.equal(s.spamTicketNumber, '4242');
  assert.equal(s.locked, true);
  assert.deepEqual(s.lockoutPolicy, { threshold: 5, durationMinutes: 30, observationMinutes: 30 });
  assert.deepEqual(s.disabledProtocols, ['imap', 'activesync', 'owa']);
  assert.equal(s.server, 'ex3.mail.ovh.net');
  assert.deepEqual(s.expectedMx, ['mx1.mail.ovh.net', 'mx2.mail.ovh.net']);
  assert.deepEqual(s.expectedSrv, { priority: 0, weight: 0, port: 443, target: 'ex3.mail.ovh.net' });
  assert.equal(s.expectedSpf, 'v=spf1 include:mx.ovh.com ~all');
  assert.deepEqual(s.providerDns?.mx, { valid: false, observed: ['mx.other-provider.example.'], expected: ['MX1.mail.ovh.net.', 'mx2.mail.ovh.net'] });
  assert.deepEqual(s.pendingTasks, [{ id: 7, function: 'changePassword', status: 'doing', since: '2025-05-31T23:50:00Z' }]);
  const healthy = mapOvhAccount({ account: { state: 'ok', spamDetected: false, expirationDate: '2026-01-01T00:00:00Z' } }, NOW);
  assert.deepEqual([healthy.expired, healthy.locked, healthy.spamBlocked, healthy.disabledProtocols, healthy.pendingTasks], [false, false, false, [], undefined]);
});

test('every OVHcloud account state has a defined phase; an unknown word is never "active"', () => {
  const phases = Object.fromEntries(OVH_ACCOUNT_STATES.map((state) => [state, mapOvhAccount({ account: { state } }, NOW).phase]));
  assert.deepEqual(phases, {
    ok: 'active', suspended: 'suspended', suspending: 'suspended', creating: 'creating', reopening: 'reopening',
    deleting: 'deleting', internalMigration: 'migrating',
  });
  assert.equal(mapOvhAccount({ account: { state: 'frozen' } }, NOW).phase, 'unknown');
  assert.equal(mapOvhAccount({ account: {} }, NOW).phase, 'unknown');
  assert.equal(mapOvhAccount({ account: { state: 'ok' }, service: { state: 'suspended' } }, NOW).phase, 'suspended', 'a suspended service suspends its mailboxes');
});

test('OVHcloud record formats: MX entries, the SRV line of the manager, SPF', () => {
  assert.deepEqual(['mx0.mail.ovh.net', 'MX1.mail.ovh.net.', '10 mx2.mail.ovh.net.', '"mx3.mail.ovh.net"', ' '].map(mxEntryHost),
    ['mx0.mail.ovh.net', 'mx1.mail.ovh.net', 'mx2.mail.ovh.net', 'mx3.mail.ovh.net', undefined]);
  assert.deepEqual(parseExpectedSrv('_autodiscover._tcp IN SRV 0 0 443 ex5.mail.ovh.net.'), { priority: 0, weight: 0, port: 443, target: 'ex5.mail.ovh.net' });
  assert.deepEqual(parseExpectedSrv('_autodiscover._tcp 3600 IN SRV 10 5 443 EX.lab.test'), { priority: 10, weight: 5, port: 443, target: 'ex.lab.test' });
  assert.equal(parseExpectedSrv('ex5.mail.ovh.net'), undefined);
  assert.equal(parseExpectedSrv(undefined), undefined);
  assert.equal(expectedSpfRecord('"v=spf1 include:mx.ovh.com ~all"'), 'v=spf1 include:mx.ovh.com ~all');
  assert.equal(expectedSpfRecord('include:mx.ovh.com'), undefined);
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
  assert.deepEqual([s.phase, s.expired, s.server, s.expectedMx, s.disabledProtocols], ['suspended', true, 'ex.lab.test', ['mx1.lab.test'], ['imap']]);
  assert.equal(mapHttpAccount(httpAccountSchema.parse({ email: 'a@b.test', state: 'provisioning' }), NOW).phase, 'creating');
  assert.equal(mapHttpAccount(httpAccountSchema.parse({ email: 'a@b.test', state: 'migrating' }), NOW).phase, 'migrating');
  assert.deepEqual(s.lockoutPolicy, { threshold: 5, durationMinutes: 30 });
  assert.equal(httpAccountSchema.safeParse({ email: 'a@b.test', state: 'gone' }).success, false);
});

test('account findings follow the precedence expired > deleting > suspended > not ready > locked > spam > protocol > migration > task', () => {
  const base: AccountState = { state: 'ok', phase: 'active', expired: false, spamBlocked: false, locked: false, disabledProtocols: [] };
  assert.deepEqual(accountFindings(base, NOW), []);
  const all = accountFindings({ ...base, state: 'suspended', phase: 'suspended', expirationDate: '2025-01-01T00:00:00Z', locked: true, spamBlocked: true, spamTicketNumber: 'T1', disabledProtocols: ['imap'] }, NOW);
  assert.deepEqual(all.map((f) => f.code), ['ACCOUNT_EXPIRED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_LOCKED', 'ACCOUNT_SPAM_BLOCKED', 'PROTOCOL_DISABLED']);
  assert.match(accountFindings({ ...base, spamBlocked: true, spamTicketNumber: 'SPAM-1' }, NOW)[0].message, /SPAM-1/);
  assert.match(accountFindings({ ...base, locked: true, lockoutPolicy: { threshold: 5, durationMinutes: 30 } }, NOW)[0].message, /5 failed logins for 30 min/);
  // Neither healthy nor "suspended": being created, reopened, deleted or migrated has its own code.
  const code = (a: Partial<AccountState>) => accountFindings({ ...base, ...a }, NOW).map((f) => f.code);
  assert.deepEqual(code({ state: 'creating', phase: 'creating' }), ['ACCOUNT_NOT_READY']);
  assert.deepEqual(code({ state: 'reopening', phase: 'reopening' }), ['ACCOUNT_NOT_READY']);
  assert.deepEqual(code({ state: 'deleting', phase: 'deleting', expirationDate: '2025-01-01T00:00:00Z' }), ['ACCOUNT_EXPIRED', 'ACCOUNT_DELETING']);
  assert.deepEqual(code({ state: 'internalMigration', phase: 'migrating', pendingTasks: [{ id: 1, function: 'migrationAccount', status: 'doing' }] }), ['ACCOUNT_IN_MIGRATION', 'ACCOUNT_TASK_PENDING']);
  // The provider's own diagnostic changes nothing a client sees; a password change does.
  assert.deepEqual(code({ pendingTasks: [{ id: 2, function: 'diagnoseAccount', status: 'doing' }] }), []);
  const task = accountFindings({ ...base, pendingTasks: [{ id: 3, function: 'changePassword', status: 'todo', since: '2025-05-31T23:59:00Z' }] }, NOW)[0];
  assert.equal(task.code, 'ACCOUNT_TASK_PENDING');
  assert.match(task.message, /password change .*todo since 2025-05-31/);
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
