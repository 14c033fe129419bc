// A private Redis for the lab when REDIS_URL is not given. It is daemonised with a pid file under
// the lab dir so that any process holding LAB_DIR (a durability test under with-lab) can restart it.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processAlive as alive } from './child.js';
import { freePort } from './free-port.js';
import { probeTcp, waitUntil } from './readiness.js';

const run = promisify(execFile);

interface RedisState {
  port: number;
  args: string[];
  pidFile: string;
  logFile: string;
}

const stateFile = (labDir: string) => join(labDir, 'redis', 'state.json');

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function launch(s: RedisState): Promise<void> {
  await run('redis-server', s.args);
  await waitUntil('redis-server', () => probeRedis(s.port), { logFile: s.logFile });
}

async function probeRedis(port: number): Promise<boolean> {
  if (!(await probeTcp('127.0.0.1', port))) return false;
  const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
  return stdout.trim() === 'PONG';
}

/** Starts the private instance (AOF on) and returns its URL. */
export async function startRedis(labDir: string, preferredPort = 16379): Promise<string> {
  const dir = join(labDir, 'redis');
  await mkdir(dir, { recursive: true });
  const port = (await portIsFree(preferredPort)) ? preferredPort : await freePort();
  const s: RedisState = {
    port,
    pidFile: join(dir, 'redis.pid'),
    logFile: join(labDir, 'redis.log'),
    args: [],
  };
  s.args = ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes',
    '--appendfsync', 'always', '--save', '', '--pidfile', s.pidFile, '--logfile', s.logFile];
  await writeFile(stateFile(labDir), JSON.stringify(s));
  await launch(s);
  return `redis://127.0.0.1:${port}`;
}

/** Stops the private instance of `labDir` (SIGTERM: Redis flushes its AOF), if there is one. */
export async function stopRedis(labDir: string): Promise<void> {
  let s: RedisState;
  try {
    s = JSON.parse(await readFile(stateFile(labDir), 'utf8')) as RedisState;
  } catch {
    return;
  }
  let pid: number;
  try {
    pid = Number((await readFile(s.pidFile, 'utf8')).trim());
  } catch {
    return;
  }
  if (!pid || !(await alive(pid))) return;
  process.kill(pid, 'SIGTERM');
  await waitUntil('redis-server to stop', async () => !(await alive(pid)), { timeoutMs: 10000 });
}

/** Stops and starts the private instance with the same port and data dir. */
export async function restartRedis(labDir: string = process.env.LAB_DIR ?? ''): Promise<void> {
  if (!labDir) throw new Error('restartRedis: LAB_DIR is not set (not running under the lab)');
  let s: RedisState;
  try {
    s = JSON.parse(await readFile(stateFile(labDir), 'utf8')) as RedisState;
  } catch {
    throw new Error('restartRedis: the lab did not start Redis (REDIS_URL was given), nothing to restart');
  }
  await stopRedis(labDir);
  await launch(s);
}
