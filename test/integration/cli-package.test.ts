// The CLI as it is installed: `npm pack` (its prepack builds dist/), `npm install -g` of the
// tarball into an empty prefix (dependencies from the registry), then the installed `exdiag`
// runs --version and a real diagnostic against the lab.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const skip = process.env.LAB_DIR ? false : 'needs the lab: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/cli-package.test.ts';
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string };

describe('the packed and installed exdiag', { skip, timeout: 600_000 }, () => {
  let dir: string;
  let bin: string;
  let files: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exdiag-pack-'));
    // Under `npm test` the outer npm exports its own npm_* settings (prefix, lifecycle): drop them.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
    // A registry connection that stalls must fail this file within minutes, not hold it to the
    // suite's timeout (seen once: npm's reify waited 10 min on one tarball).
    const npmEnv = {
      ...inherited, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
      npm_config_fetch_timeout: '60000', npm_config_fetch_retries: '4', npm_config_fetch_retry_maxtimeout: '20000',
    };
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, env: npmEnv, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
    // npm prints the prepack script's output before the JSON.
    const json = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[\n'))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = json[0].files.map((f) => f.path);
    const prefix = join(dir, 'prefix');
    // Dependencies come from the registry (a tarball carries no lockfile): a stalled download is
    // killed and the install tried once more (what it fetched is in npm's cache by then).
    for (let attempt = 1; ; attempt++) {
      try {
        await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', join(dir, json[0].filename)], { cwd: dir, env: npmEnv, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
        break;
      } catch (err) {
        if (attempt >= 2 || !(err as { killed?: boolean }).killed) throw err;
      }
    }
    bin = join(prefix, 'bin', 'exdiag');
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships the built CLI, the contract and the support page, not the sources or the tests', () => {
    for (const f of ['package.json', 'dist/cli.js', 'dist/server.js', 'dist/worker.js', 'openapi.yaml', 'src/web/index.html']) assert.ok(files.includes(f), `${f} is packed`);
    assert.deepEqual(files.filter((f) => f.startsWith('test/') || f.startsWith('bench/') || (f.startsWith('src/') && f.endsWith('.ts'))), []);
  });

  it('exdiag starts from its shebang and prints the package version', async () => {
    const installed = await readFile(join(dir, 'prefix', 'lib', 'node_modules', pkg.name, 'dist', 'cli.js'), 'utf8');
    assert.ok(installed.startsWith('#!/usr/bin/env node\n'));
    // Run through the bin link itself, as a shell would (no `node` in front).
    const { stdout } = await run(bin, ['--version']);
    assert.equal(stdout.trim(), pkg.version);
  });

  it('exdiag run diagnoses the lab\'s healthy mailbox', async () => {
    const { stdout, stderr } = await run(bin, ['run', 'healthy@healthy.test', '--platform', 'lab', '--password-env', 'LAB_DEMO_PASSWORD'], { cwd: dir, env: process.env, timeout: 120_000 });
    assert.match(stderr, /Diagnosing healthy@healthy\.test \(platform lab/);
    assert.match(stderr, /\[ok {2}\] receive/);
    assert.match(stdout, /Verdict: Healthy/);
  });
});
