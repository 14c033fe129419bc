// Redis topology settings: one Redis, Sentinel or Cluster, exclusive, and under Cluster a prefix
// that is a hash tag (every key and queue of the deployment in one slot).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { storeKeys } from '../../src/store/keys.js';

const cluster = { REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2.internal:7001' };

test('REDIS_CLUSTER_NODES: host:port list; the prefix becomes a hash tag', () => {
  const c = loadConfig(cluster);
  assert.deepEqual(c.REDIS_CLUSTER_NODES, ['10.0.0.1:7000', 'redis-2.internal:7001']);
  assert.equal(c.REDIS_PREFIX, '{exdiag}');
  assert.equal(loadConfig({ ...cluster, REDIS_PREFIX: 'eu:prod' }).REDIS_PREFIX, '{eu:prod}');
  // A prefix that already holds a tag is kept as written (its tag is the slot).
  assert.equal(loadConfig({ ...cluster, REDIS_PREFIX: '{exdiag}:eu' }).REDIS_PREFIX, '{exdiag}:eu');
  const k = storeKeys(loadConfig(cluster).REDIS_PREFIX);
  for (const key of [k.diag('x'), k.events('x'), k.byAccount('c', 'a@b.c'), k.rateLimit('c'), k.cancelChannel]) assert.ok(key.startsWith('{exdiag}:'), key);
});

test('without Cluster the prefix is used as written (existing deployments keep their keys)', () => {
  assert.equal(loadConfig({}).REDIS_PREFIX, 'exdiag');
  assert.equal(loadConfig({ REDIS_PREFIX: '{exdiag}' }).REDIS_PREFIX, '{exdiag}');
});

test('Cluster and Sentinel are exclusive, with a message that says so', () => {
  assert.throws(() => loadConfig({ ...cluster, REDIS_SENTINELS: '10.0.0.9:26379' }), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /REDIS_CLUSTER_NODES: cannot be set together with REDIS_SENTINELS/);
    return true;
  });
});

test('a cluster node must be host:port; a cluster has no database but 0; a prefix has at most one tag', () => {
  assert.throws(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' }), /REDIS_CLUSTER_NODES: each entry must be host:port/);
  assert.throws(() => loadConfig({ ...cluster, REDIS_URL: 'redis://:pw@x:6379/2' }), /REDIS_URL: under REDIS_CLUSTER_NODES/);
  assert.equal(loadConfig({ ...cluster, REDIS_URL: 'rediss://user:pw@x:6379/0' }).REDIS_URL, 'rediss://user:pw@x:6379/0');
  for (const bad of ['{a}{b}', '{}', 'a{b', 'has space']) assert.throws(() => loadConfig({ REDIS_PREFIX: bad }), /REDIS_PREFIX/, bad);
});
