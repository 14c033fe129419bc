// `exdiag --version`: the version of the installed package, read from its package.json (one
// directory above both src/cli.ts and dist/cli.js), so that it never drifts from the release.
import { readFileSync } from 'node:fs';

export function packageVersion(url: URL = new URL('../../package.json', import.meta.url)): string {
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
  return pkg.version ?? 'unknown';
}
