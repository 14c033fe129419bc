// The exchange budget of net/http.ts fires even after a garbage collection. On Node 20,
// AbortSignal.any([signal, AbortSignal.timeout(ms)]) holds the timeout signal weakly: once it is
// collected it never fires, and an exchange with a server that never answers ran on to undici's
// headersTimeout (20 s) instead of its budget. A real server on 127.0.0.1 that accepts and stays silent.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent } from 'undici';
import { httpExchange } from '../../src/net/http.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('an exchange with a silent server ends at its budget, garbage collection or not', async () => {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer(() => { /* never answers */ });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const agent = new Agent({ headersTimeout: 20_000, bodyTimeout: 20_000 });
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const t0 = performance.now();
    const pending = httpExchange(agent, url, { signal: new AbortController().signal, timeoutMs: 400 });
    setTimeout(gc, 50);
    setTimeout(gc, 200);
    const r = await pending;
    const took = performance.now() - t0;
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.code, 'EXCHANGE_TIMEOUT');
    assert.ok(took >= 390 && took < 3000, `ended after ${Math.round(took)} ms (budget 400 ms)`);
  } finally {
    for (const s of sockets) s.destroy();
    await agent.destroy();
    await new Promise((r) => server.close(r));
  }
});
