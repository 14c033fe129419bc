// The resolver at scale: TTL-honouring cache (negative answers too), one wire question for many
// identical ones in flight, a bound on questions at once, and TCP when UDP is truncated or lost.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDnsClient } from '../../src/net/dns.js';
import { a, mx, startDnsServer, txt, type DnsTestServer } from '../helpers/dns-server.js';

describe('DNS client', () => {
  let srv: DnsTestServer;
  const big = 'v=spf1 ' + Array.from({ length: 60 }, (_, i) => `ip4:192.0.2.${i}`).join(' ') + ' -all';
  before(async () => {
    srv = await startDnsServer({
      records: {
        'MX example.test': [mx('example.test', 'mx1.example.test', 10, 2), mx('example.test', 'mx2.example.test', 20, 5)],
        'A mx1.example.test': [a('mx1.example.test', '192.0.2.1')],
        'TXT big.test': [txt('big.test', big)],
        'TXT lost.test': [txt('lost.test', 'v=DMARC1; p=none')],
        'TXT zero.test': [txt('zero.test', 'hello', 0)],
      },
      soa: { ttl: 3600, minimum: 7 },
      servfail: new Set(['broken.test']),
      truncateUdp: new Set(['TXT big.test']),
      dropUdp: new Set(['TXT lost.test']),
    });
  });
  after(() => srv.close());

  const client = (o: Partial<Parameters<typeof createDnsClient>[0]> = {}) =>
    createDnsClient({ servers: [srv.server], timeoutMs: 300, tries: 1, ...o });

  test('an answer is cached for its smallest TTL and says so', async () => {
    const dns = client();
    const first = await dns.mx('example.test');
    assert.ok(first.ok);
    assert.deepEqual(first.records, [{ exchange: 'mx1.example.test', priority: 10 }, { exchange: 'mx2.example.test', priority: 20 }]);
    assert.equal(first.cached, undefined);
    assert.equal(first.ttl, 2);
    assert.equal(first.server, srv.server);
    const second = await dns.mx('EXAMPLE.test.');
    assert.ok(second.ok && second.cached);
    assert.ok(second.ttl! <= 2);
    assert.equal(dns.stats().wire, 1);
    assert.equal(dns.stats().cacheHits, 1);
  });

  test('a zero TTL is never cached', async () => {
    const dns = client();
    await dns.txt('zero.test');
    const again = await dns.txt('zero.test');
    assert.equal(again.cached, undefined);
    assert.equal(dns.stats().wire, 2);
  });

  test('NXDOMAIN and NODATA are cached for min(SOA TTL, SOA MINIMUM) (RFC 2308 §5)', async () => {
    const dns = client();
    const nx = await dns.txt('nothing.test');
    assert.ok(!nx.ok && nx.kind === 'nxdomain');
    assert.equal(nx.ttl, 7);
    const nodata = await dns.txt('mx1.example.test');
    assert.ok(!nodata.ok && nodata.kind === 'nodata');
    const nx2 = await dns.txt('nothing.test');
    assert.ok(!nx2.ok && nx2.kind === 'nxdomain' && nx2.cached);
  });

  test('errors are not cached: SERVFAIL is asked again, as ESERVFAIL', async () => {
    const dns = client();
    const e1 = await dns.txt('broken.test');
    const e2 = await dns.txt('broken.test');
    assert.ok(!e1.ok && e1.kind === 'error' && e1.error === 'ESERVFAIL');
    assert.ok(!e2.ok && e2.kind === 'error');
    assert.equal(dns.stats().wire, 2);
  });

  test('a truncated UDP answer is asked again over TCP', async () => {
    const dns = client();
    const r = await dns.txt('big.test');
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.records[0], big);
    assert.equal(r.transport, 'tcp');
    assert.ok(srv.log.includes('tcp TXT big.test'));
  });

  test('a lost UDP answer is asked again over TCP instead of failing', async () => {
    const dns = client({ timeoutMs: 200 });
    const r = await dns.txt('lost.test');
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.transport, 'tcp');
  });

  test('a thousand identical questions at once go out once', async () => {
    const before = srv.log.length;
    const dns = client();
    const all = await Promise.all(Array.from({ length: 1000 }, () => dns.addresses('mx1.example.test')));
    assert.ok(all.every((r) => r.ok && r.records[0] === '192.0.2.1'));
    assert.equal(srv.log.length - before, 1);
    assert.equal(dns.stats().coalesced, 999);
  });

  test('at most maxConcurrent questions are on the wire; the rest queue and all are answered', async () => {
    const slow = await startDnsServer({ records: {}, soa: { ttl: 60, minimum: 60 }, delayMs: 30 });
    try {
      const dns = createDnsClient({ servers: [slow.server], timeoutMs: 2000, tries: 1, maxConcurrent: 4 });
      const all = await Promise.all(Array.from({ length: 40 }, (_, i) => dns.txt(`n${i}.test`)));
      assert.ok(all.every((r) => !r.ok && r.kind === 'nxdomain'));
      assert.ok(slow.peakInFlight <= 4, `peak ${slow.peakInFlight}`);
      assert.ok(dns.stats().queued >= 36);
    } finally {
      await slow.close();
    }
  });

  test('a server that does not answer at all is an error of ours (ETIMEOUT/ECONNREFUSED), not a finding', async () => {
    const dns = createDnsClient({ servers: ['127.0.0.1:9'], timeoutMs: 100, tries: 1 });
    const r = await dns.mx('example.test');
    assert.ok(!r.ok && r.kind === 'error');
    assert.match(r.error, /^E(TIMEOUT|CONNREFUSED)$/);
  });

  test('malformed names are refused before any packet is sent', async () => {
    const dns = client();
    const r = await dns.txt(`${'a'.repeat(64)}.test`);
    assert.ok(!r.ok && r.kind === 'error' && r.error === 'EBADNAME');
  });
});
