// A private Redis Cluster from Debian's redis-server, for the tests that need one (not part of
// every lab start): three masters on free loopback ports, AOF on (appendfsync always) in a temp
// dir, joined by `redis-cli --cluster create`. Each node keeps its nodes.conf and AOF, so one can
// be killed and started again as the same node with its data.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { waitUntil } from './readiness.js';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  /** The node's own directory (nodes.conf, AOF, log). */
  dir: string;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** REDIS_CLUSTER_NODES for the service: every node, `host:port` comma separated. */
  nodesSetting: string;
  /** The node serving `key`'s slot (a hash-tagged prefix: every key of a deployment). */
  nodeOf(key: string): Promise<ClusterNode>;
  /** Number of keys a node holds. */
  dbsize(node: ClusterNode): Promise<number>;
  /** SIGKILL (no shutdown flush: only what the AOF holds survives) then start again; resolves when the cluster is ok. */
  restartNode(node: ClusterNode): Promise<void>;
  stop(): Promise<void>;
}

const cli = (port: number, ...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);

export async function startRedisCluster(opts: { masters?: number } = {}): Promise<RedisCluster> {
  const base = await mkdtemp(join(tmpdir(), 'exdiag-cluster-'));
  const nodes: ClusterNode[] = [];
  const procs = new Map<ClusterNode, { child: ChildProcess; exited: Promise<void> }>();
  const args = new Map<ClusterNode, string[]>();

  const launch = (node: ClusterNode) => {
    const child = spawn('redis-server', args.get(node)!, { stdio: 'ignore' });
    procs.set(node, { child, exited: new Promise<void>((r) => child.once('exit', () => r())) });
  };
  const stopAll = async () => {
    for (const p of procs.values()) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all([...procs.values()].map((p) => p.exited));
    await rm(base, { recursive: true, force: true });
  };
  const clusterOk = async (port: number) => (await cli(port, 'cluster', 'info')).stdout.includes('cluster_state:ok');

  try {
    for (let i = 0; i < (opts.masters ?? 3); i++) {
      const node: ClusterNode = { port: await freePort(), dir: join(base, `node${i}`) };
      await mkdir(node.dir);
      // The bus port is chosen too (port + 10000 may be taken or past 65535).
      const busPort = await freePort();
      args.set(node, [
        '--port', String(node.port), '--bind', '127.0.0.1', '--dir', node.dir,
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort),
        '--cluster-node-timeout', '5000',
        '--appendonly', 'yes', '--appendfsync', 'always', '--save', '',
        '--logfile', join(node.dir, 'redis.log'),
      ]);
      nodes.push(node);
      launch(node);
    }
    for (const n of nodes) {
      await waitUntil(`cluster node ${n.port}`, async () => (await cli(n.port, 'ping')).stdout.trim() === 'PONG',
        { logFile: join(n.dir, 'redis.log'), timeoutMs: 10000 });
    }
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const n of nodes) await waitUntil(`cluster state ok on ${n.port}`, () => clusterOk(n.port), { timeoutMs: 15000 });
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    nodes,
    nodesSetting: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    async nodeOf(key) {
      const slot = Number((await cli(nodes[0].port, 'cluster', 'keyslot', key)).stdout.trim());
      for (const n of nodes) {
        // CLUSTER NODES, the `myself` line: id addr flags master ping pong epoch state slot-ranges…
        const mine = (await cli(n.port, 'cluster', 'nodes')).stdout.split('\n').find((l) => l.includes('myself'))!;
        for (const range of mine.trim().split(' ').slice(8)) {
          const [lo, hi = lo] = range.split('-').map(Number);
          if (slot >= lo && slot <= hi) return n;
        }
      }
      throw new Error(`no node serves slot ${slot} (${key})`);
    },
    async dbsize(node) {
      return Number((await cli(node.port, 'dbsize')).stdout.trim());
    },
    async restartNode(node) {
      const p = procs.get(node)!;
      p.child.kill('SIGKILL');
      await p.exited;
      launch(node);
      for (const n of nodes) await waitUntil(`cluster state ok on ${n.port} after restart`, async () => (await clusterOk(n.port).catch(() => false)), { timeoutMs: 20000 });
    },
    stop: stopAll,
  };
}
