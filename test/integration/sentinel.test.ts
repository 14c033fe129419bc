// Redis Sentinel: the service finds the master through the sentinels (REDIS_SENTINELS), and a
// diagnostic goes through the API, the queue and the worker on it. Real redis-server processes.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { storeKeys } from '../../src/store/keys.js';
import { freePort } from '../lab/free-port.js';
import { startService, type Service } from '../helpers/service.js';

function start(args: string[]): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  return { child, exited: new Promise<void>((r) => child.once('exit', () => r())) };
}

test('under Sentinel, the master is found by name and a diagnostic runs end to end', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'exdiag-sentinel-'));
  const [masterPort, sentinelPort] = [await freePort(), await freePort()];
  const master = start(['--port', String(masterPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no']);
  const conf = join(dir, 'sentinel.conf');
  await writeFile(conf, [
    `port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor labmaster 127.0.0.1 ${masterPort} 1`, 'sentinel down-after-milliseconds labmaster 5000', '',
  ].join('\n'));
  const sentinel = start([conf, '--sentinel']);
  let s: Service | undefined;
  const direct = new Redis({ port: masterPort, host: '127.0.0.1', lazyConnect: true });
  try {
    s = await startService({
      // The URL's host is deliberately wrong: only the sentinels may lead to the master.
      REDIS_URL: 'redis://127.0.0.1:1/0', REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`, REDIS_SENTINEL_NAME: 'labmaster',
      DNS_SERVERS: '127.0.0.1:9', THROTTLE_MAX: '0',
    });
    const res = await s.request.post('/v1/diagnostics').set(s.auth).send({ account: 'user@sentinel.test', password: 'Sentinel-pw-1', checks: ['mx'] });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const done = await s.waitFor(res.body.id, ['completed', 'failed'], 20000);
    assert.equal(done.status, 'completed');
    assert.equal(done.results[0].code, 'DNS_ERROR');
    await direct.connect();
    assert.ok(await direct.exists(storeKeys(s.config.REDIS_PREFIX).diag(res.body.id)), 'the record lives on the master the sentinel names');
  } finally {
    await s?.close();
    direct.disconnect();
    sentinel.child.kill('SIGTERM');
    master.child.kill('SIGTERM');
    await Promise.all([sentinel.exited, master.exited]);
    await rm(dir, { recursive: true, force: true });
  }
});
