// What the figures were measured on, and the guard that keeps the bench on loopback.
import { cpus, totalmem } from 'node:os';
import type { Redis } from 'ioredis';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Throws unless Redis and every DNS server the service would use are loopback addresses. */
export function assertLoopbackOnly(env: NodeJS.ProcessEnv): void {
  const redisHost = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379').hostname;
  if (!LOOPBACK.has(redisHost)) throw new Error(`bench: REDIS_URL must be a loopback address, not ${redisHost}`);
  const dns = (env.DNS_SERVERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!dns.length) throw new Error('bench: DNS_SERVERS is empty (system resolvers); run it under the lab: npm run bench');
  for (const s of dns) {
    const host = s.startsWith('[') ? s.slice(1, s.indexOf(']')) : s.split(':')[0];
    if (!host.startsWith('127.') && host !== '::1') throw new Error(`bench: DNS server ${s} is not loopback`);
  }
}

export async function environmentLine(redis: Redis): Promise<string> {
  const info = await redis.info('server');
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
  const [, fsync] = (await redis.config('GET', 'appendfsync')) as string[];
  const cpu = cpus();
  return [
    `node ${process.version}`,
    `${process.platform}/${process.arch}`,
    `${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'})`,
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `redis ${version} (appendonly ${aof}, appendfsync ${fsync})`,
  ].join(' | ');
}
