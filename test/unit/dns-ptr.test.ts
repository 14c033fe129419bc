// Reverse DNS through the run's resolver: PTR names of IPv4 and IPv6 addresses (RFC 1035 §3.5,
// RFC 3596 §2.5), cached like any answer, negative answers kept apart from our own errors, and the
// unfiltered forward lookup that forward-confirmed reverse DNS compares with.
import assert from 'node:assert/strict';
import type * as packet from 'dns-packet';
import { after, before, describe, test } from 'node:test';
import { createDnsClient, reversedLabels } from '../../src/net/dns.js';
import { createEgressGuard } from '../../src/net/egress.js';
import { a, startDnsServer, type DnsTestServer } from '../helpers/dns-server.js';

const ptr = (name: string, target: string, ttl = 60): packet.Answer => ({ type: 'PTR', name, ttl, data: target } as packet.Answer);
const aaaa = (name: string, ip: string, ttl = 60): packet.Answer => ({ type: 'AAAA', name, ttl, data: ip } as packet.Answer);

const V6 = '2001:db8::25';
const V6_PTR = '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa';

describe('DNS client: PTR and forward lookups', () => {
  let srv: DnsTestServer;
  before(async () => {
    srv = await startDnsServer({
      records: {
        'PTR 25.2.0.192.in-addr.arpa': [ptr('25.2.0.192.in-addr.arpa', 'Out1.Example.TEST.', 30)],
        'PTR 26.2.0.192.in-addr.arpa': [ptr('26.2.0.192.in-addr.arpa', 'a.example.test'), ptr('26.2.0.192.in-addr.arpa', 'b.example.test')],
        [`PTR ${V6_PTR}`]: [ptr(V6_PTR, 'out6.example.test')],
        'A out1.example.test': [a('out1.example.test', '192.0.2.25')],
        'AAAA out6.example.test': [aaaa('out6.example.test', V6)],
        'A private.example.test': [a('private.example.test', '10.0.0.7')],
      },
      soa: { ttl: 3600, minimum: 5 },
      servfail: new Set(['99.2.0.192.in-addr.arpa']),
    });
  });
  after(() => srv.close());

  const client = () => createDnsClient({ servers: [srv.server], timeoutMs: 300, tries: 1, guard: createEgressGuard({ allowlist: [] }) });

  test('reversed labels: dotted IPv4 reversed, IPv6 as 32 nibbles; other spellings normalised; names refused', () => {
    assert.deepEqual(reversedLabels('192.0.2.25'), { labels: '25.2.0.192', family: 4 });
    assert.deepEqual(reversedLabels('::ffff:192.0.2.25'), { labels: '25.2.0.192', family: 4 });
    assert.deepEqual(reversedLabels(V6), { labels: V6_PTR.replace(/\.ip6\.arpa$/, ''), family: 6 });
    assert.equal(reversedLabels('mail.example.test'), undefined);
  });

  test('an IPv4 PTR: the name lower-cased without its dot, cached for its TTL', async () => {
    const dns = client();
    const first = await dns.ptr('192.0.2.25');
    assert.ok(first.ok, JSON.stringify(first));
    assert.deepEqual(first.records, ['out1.example.test']);
    assert.equal(first.ttl, 30);
    assert.ok(srv.log.includes('udp PTR 25.2.0.192.in-addr.arpa'), srv.log.join(', '));
    const again = await dns.ptr('192.0.2.25');
    assert.ok(again.ok && again.cached);
    assert.equal(dns.stats().wire, 1);
  });

  test('several PTR records are all returned; an IPv6 address is asked under ip6.arpa', async () => {
    const dns = client();
    const two = await dns.ptr('192.0.2.26');
    assert.ok(two.ok);
    assert.deepEqual(two.records.sort(), ['a.example.test', 'b.example.test']);
    const six = await dns.ptr(V6);
    assert.ok(six.ok, JSON.stringify(six));
    assert.deepEqual(six.records, ['out6.example.test']);
  });

  test('no PTR is NXDOMAIN (a finding); SERVFAIL is our error; a non-address is refused before any packet', async () => {
    const dns = client();
    const none = await dns.ptr('192.0.2.77');
    assert.ok(!none.ok && none.kind === 'nxdomain', JSON.stringify(none));
    const broken = await dns.ptr('192.0.2.99');
    assert.ok(!broken.ok && broken.kind === 'error' && broken.error === 'ESERVFAIL', JSON.stringify(broken));
    const before = srv.log.length;
    const bad = await dns.ptr('not-an-ip.example.test');
    assert.ok(!bad.ok && bad.kind === 'error' && bad.error === 'EBADNAME');
    assert.equal(srv.log.length, before, 'nothing was sent');
  });

  test('forward(): A or AAAA by family, not filtered by the egress policy (addresses() is)', async () => {
    const dns = client();
    const v4 = await dns.forward('out1.example.test', 4);
    assert.ok(v4.ok);
    assert.deepEqual(v4.records, ['192.0.2.25']);
    const v6 = await dns.forward('out6.example.test', 6);
    assert.ok(v6.ok);
    assert.deepEqual(v6.records, [V6]);
    const priv = await dns.forward('private.example.test', 4);
    assert.ok(priv.ok);
    assert.deepEqual(priv.records, ['10.0.0.7']);
    const guarded = await dns.addresses('private.example.test');
    assert.ok(!guarded.ok && guarded.kind === 'error' && guarded.error.startsWith('EGRESS_FORBIDDEN'), JSON.stringify(guarded));
  });
});
