// What the bench runs: production starts `node dist/worker.js` and `node dist/server.js`
// (package.json `build`, `start:worker`, `start:api`), so by default the bench compiles the
// service once with the same tsconfig.build.json, into a directory of its own next to dist/
// (`scratch-bench-build-*`, git-ignored; removed at the end), and starts the compiled entry points
// with plain `node`. It does not touch dist/ (someone else may be using it). The directory sits one
// level below the repository like dist/, so the compiled code finds node_modules, openapi.yaml and
// src/web exactly as dist/ does. BENCH_TSX=1 runs the TypeScript sources under tsx instead (source
// maps on: slower, and not what production runs).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './service-process.js';

export interface ServiceBuild {
  /** 'built': compiled JavaScript under plain node; 'tsx': the sources under tsx. */
  readonly mode: 'built' | 'tsx';
  /** The entry point to start for a source entry (src/worker.ts → <dir>/worker.js). */
  entry(source: string): string;
  /** One line for the bench's setup line. */
  readonly describe: string;
  remove(): Promise<void>;
}

const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function tsc(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSC, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function prepareServiceBuild(env: NodeJS.ProcessEnv, say: (m: string) => void): Promise<ServiceBuild> {
  if (env.BENCH_TSX === '1') {
    return { mode: 'tsx', entry: (s) => s, describe: 'services run from the TypeScript sources under tsx (BENCH_TSX=1)', remove: async () => {} };
  }
  const dir = join(REPO_ROOT, `scratch-bench-build-${randomBytes(4).toString('hex')}`);
  const t0 = performance.now();
  say(`compiling the service (tsc -p tsconfig.build.json --outDir ${dir})`);
  const service = await tsc(['-p', 'tsconfig.build.json', '--outDir', dir]);
  // bench/bare-api.ts (figure 2's baseline) is compiled too: both sides of that ratio run the same way.
  const bare = await tsc(['--outDir', join(dir, 'bench'), '--rootDir', 'bench', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--skipLibCheck', '--esModuleInterop', '--types', 'node', 'bench/bare-api.ts']);
  const expected = ['worker.js', 'server.js', join('bench', 'bare-api.js')].map((f) => join(dir, f));
  const missing = expected.filter((f) => !existsSync(f));
  if (missing.length) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`bench: the build emitted no ${missing.join(', ')}\n${service.output}${bare.output}`);
  }
  // tsc emits even with type errors (another engineer's edit in progress): say so, measure anyway.
  if (service.code !== 0 || bare.code !== 0) say(`WARNING: tsc reported errors (the emitted JavaScript is measured anyway):\n${(service.output + bare.output).trim().split('\n').slice(0, 20).join('\n')}`);
  const ms = Math.round(performance.now() - t0);
  return {
    mode: 'built',
    entry: (s) => {
      const js = s.startsWith('src/') ? join(dir, s.slice(4).replace(/\.ts$/, '.js')) : join(dir, s.replace(/\.ts$/, '.js'));
      if (!existsSync(js)) throw new Error(`bench: ${s} was not compiled (${js})`);
      return js;
    },
    describe: `services run compiled, as in production (tsc -p tsconfig.build.json, then node <entry>.js; built in ${(ms / 1000).toFixed(1)} s${service.code || bare.code ? ', WITH TYPE ERRORS' : ''})`,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
