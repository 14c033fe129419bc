// store/resp-script.ts: the admission script's cheaper wire encoding must be byte for byte what
// ioredis sends (its own Command#toWritable), and a script command using it must still work on a
// real Redis: EVAL on the connection's first use, EVALSHA after, arguments (binary ones too) arriving
// intact. (Recovery from NOSCRIPT after SCRIPT FLUSH: admission.test.ts, on a private redis-server.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Command, Redis } from 'ioredis';
import { encodeCommand, fastScript } from '../../src/store/resp-script.js';

const asBytes = (w: string | Buffer) => (typeof w === 'string' ? Buffer.from(w, 'utf8') : w);
const ioredisBytes = (name: string, args: Array<string | Buffer | number>) => new Command(name, args).toWritable({});

test('encodeCommand writes the bytes ioredis writes, string or Buffer as ioredis does', () => {
  const cases: Array<[string, Array<string | Buffer | number>]> = [
    ['get', ['k']],
    ['set', ['k', '', 'EX', 10]],
    ['evalsha', ['0123456789abcdef0123456789abcdef01234567', 2, 'pfx:a', 'pfx:b', 'plain', 'ünïcödé 💡 "json"', '{"a":"\\u00e9"}']],
    ['evalsha', ['sha', 1, 'k', randomBytes(94), 'between', Buffer.alloc(0), 'é', Buffer.from([0, 13, 10, 255]), 'end']],
    ['eval', [Buffer.from('return 1'), 0]],
    ['evalsha', ['sha', 0, randomBytes(3), randomBytes(5)]],
  ];
  for (const [name, args] of cases) {
    const ours = encodeCommand(name, new Command(name, args).args as Array<string | Buffer>);
    const theirs = ioredisBytes(name, args);
    assert.equal(typeof ours, typeof theirs, `${name}: same kind (string without Buffers)`);
    assert.ok(asBytes(ours).equals(asBytes(theirs)), `${name}: same bytes\n${asBytes(ours).toString('latin1')}\n${asBytes(theirs).toString('latin1')}`);
  }
});

let redis: Redis;
before(() => { redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 }); });
after(() => redis.quit());

test('a script command with the fast encoding: EVAL first, EVALSHA after, binary arguments intact', async () => {
  const prefix = `test-resp-${randomBytes(6).toString('hex')}`;
  // A body of its own (random comment): Redis has never seen it, so only an EVAL can run it first.
  const lua = `-- ${prefix}\nreturn {KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4]}`;
  redis.defineCommand('respEcho', { numberOfKeys: 2, lua });
  assert.equal(fastScript(redis, 'respEcho'), true);
  const sent: string[] = [];
  const monitor = await redis.monitor();
  monitor.on('monitor', (_t: string, args: string[]) => { if (args[0]?.toLowerCase().startsWith('eval') && args.includes(`${prefix}:a`)) sent.push(args[0].toLowerCase()); });
  try {
    const bin = Buffer.from([0, 1, 2, 13, 10, 0x80, 0xff, 0xc3]);
    const call = () => (redis as unknown as Record<string, (...a: unknown[]) => Promise<Buffer[]>>).respEchoBuffer(`${prefix}:a`, `${prefix}:b`, 'text', bin, 'ünïcödé', Buffer.alloc(0));
    for (let i = 0; i < 3; i++) {
      const out = await call();
      assert.deepEqual(out.slice(0, 3).map((b) => b.toString('utf8')), [`${prefix}:a`, `${prefix}:b`, 'text']);
      assert.ok(out[3].equals(bin), 'binary argument intact');
      assert.equal(out[4].toString('utf8'), 'ünïcödé');
      assert.equal(out[5].length, 0);
    }
    await redis.ping(); // MONITOR lines arrive before the PING's reply
    assert.deepEqual(sent, ['eval', 'evalsha', 'evalsha']);
  } finally {
    monitor.disconnect();
  }
});

test('fastScript changes nothing for a command that is not a defined script', () => {
  assert.equal(fastScript(redis, 'noSuchScript'), false);
});
