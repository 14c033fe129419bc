// The bootstrap registry is fetched once per day per process; failures are not cached.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Agent } from 'undici';
import { createBootstrapCache } from '../../src/run/rdap-bootstrap.js';
import { createHttpClient } from '../../src/net/http.js';

test('one fetch serves many lookups until the day is over; a failed fetch is retried', async () => {
  let hits = 0;
  let fail = true;
  const server = createServer((_req, res) => {
    hits++;
    if (fail) { res.writeHead(503).end(); return; }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ services: [[['test'], ['https://rdap.example/']]] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dns.json`;
  const http = new Agent();
  let now = 0;
  const load = createBootstrapCache(createHttpClient(http), () => now);
  const signal = new AbortController().signal;
  try {
    await assert.rejects(load(url, signal), /HTTP 503/);
    fail = false;
    const a = await load(url, signal);
    await load(url, signal);
    assert.deepEqual(a.services, [[['test'], ['https://rdap.example/']]]);
    assert.equal(hits, 2, 'the failure was not cached; the success was');
    now += 25 * 3600 * 1000;
    await load(url, signal);
    assert.equal(hits, 3, 'fetched again after a day');
  } finally {
    await http.close();
    server.close();
  }
});
