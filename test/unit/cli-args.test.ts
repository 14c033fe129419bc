import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand, UsageError } from '../../src/cli/args.js';

test('run with every option', () => {
  const c = parseCommand(['run', 'healthy@healthy.test', '--platform', 'lab', '--server', 'EX.lab.test', '--checks', 'send,mx', '--locale', 'fr', '--json', '--password-env', 'PW']);
  assert.deepEqual(c, {
    kind: 'run', account: 'healthy@healthy.test', platform: 'lab', server: 'ex.lab.test', checks: ['mx', 'send'],
    locale: 'fr', json: true, password: { kind: 'env', name: 'PW' },
  });
});

test('defaults: English, text report, password prompt', () => {
  const c = parseCommand(['run', 'a@b.test']);
  assert.equal(c.kind, 'run');
  if (c.kind !== 'run') return;
  assert.equal(c.locale, 'en');
  assert.equal(c.json, false);
  assert.deepEqual(c.password, { kind: 'prompt' });
  assert.equal(c.checks, undefined);
});

test('help', () => {
  assert.deepEqual(parseCommand(['--help']), { kind: 'help' });
  assert.deepEqual(parseCommand([]), { kind: 'help' });
});

test('version', async () => {
  assert.deepEqual(parseCommand(['--version']), { kind: 'version' });
  assert.deepEqual(parseCommand(['-V']), { kind: 'version' });
  assert.deepEqual(parseCommand(['version']), { kind: 'version' });
  const { packageVersion } = await import('../../src/cli/version.js');
  const { readFileSync } = await import('node:fs');
  assert.equal(packageVersion(), JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
});

test('a password is never accepted as an argument', () => {
  assert.throws(() => parseCommand(['run', 'a@b.test', '--password', 'secret']), (e: Error) => e instanceof UsageError && !e.message.includes('secret'));
  assert.throws(() => parseCommand(['run', 'a@b.test', '--password=secret']), UsageError);
});

test('usage errors', () => {
  for (const argv of [
    ['run'], ['run', 'not-an-address'], ['frobnicate'], ['run', 'a@b.test', '--checks', 'mx,nope'],
    ['run', 'a@b.test', '--locale', 'de'], ['run', 'a@b.test', '--password-env', 'X', '--password-stdin'],
    ['run', 'a@b.test', '--bogus'], ['run', 'a@b.test', 'extra'],
  ]) assert.throws(() => parseCommand(argv), UsageError, argv.join(' '));
});
