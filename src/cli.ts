#!/usr/bin/env node
// The `exdiag` command line: support engineers run the service's diagnostic on one mailbox, in
// this process. Nothing runs on import; main() starts only when this file is the entry module.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config/index.js';
import { InterruptedError, parseCommand, USAGE, UsageError } from './cli/args.js';
import { clientCommand } from './cli/client-command.js';
import { readPassword } from './cli/password.js';
import { terminalMode } from './cli/progress.js';
import { packageVersion } from './cli/version.js';

/** After Ctrl-C, how long checks may take to stop and clean up before the command exits anyway. */
const CANCEL_GRACE_MS = 3000;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const cmd = parseCommand(argv);
    if (cmd.kind === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (cmd.kind === 'version') {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    if (cmd.kind === 'client-new') return clientCommand(cmd.clientId, cmd.webhookUrl, process.stdout);
    // The CLI is quieter than the services unless LOG_LEVEL says otherwise.
    const config = loadConfig({ LOG_LEVEL: 'warn', ...env });
    const password = await readPassword(cmd.password, { stdin: process.stdin, stderr: process.stderr, env });
    // Ctrl-C cancels the run: the checks see the abort and stop. One that does not notice (a DNS
    // query in flight) is not waited for beyond CANCEL_GRACE_MS; a second Ctrl-C does not wait.
    const terminal = terminalMode(process.stderr, env);
    const ac = new AbortController();
    const onSigint = () => {
      if (ac.signal.aborted) process.exit(130);
      ac.abort(new Error('interrupted'));
      process.stderr.write(`${terminal.tty ? '\r\x1b[2K' : ''}exdiag: cancelling… (Ctrl-C again to quit at once)\n`);
      setTimeout(() => {
        process.stderr.write('exdiag: interrupted\n');
        process.exit(130);
      }, CANCEL_GRACE_MS).unref();
    };
    process.on('SIGINT', onSigint);
    try {
      // Loaded on demand: `--help` and usage errors need none of the checks' dependencies.
      const { runCommand } = await import('./cli/run-command.js');
      return await runCommand(cmd, password, config, { stdout: process.stdout, stderr: process.stderr, signal: ac.signal, terminal });
    } finally {
      process.off('SIGINT', onSigint);
    }
  } catch (err) {
    if (err instanceof InterruptedError) {
      process.stderr.write('exdiag: interrupted\n');
      return 130;
    }
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`exdiag: ${err.message}\n${err instanceof UsageError ? 'Try: exdiag --help\n' : ''}`);
      return 2;
    }
    process.stderr.write(`exdiag: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}

const isEntry = (() => {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Interrupted: a connection a cancelled check still holds must not keep the command alive.
    if (code === 130) setTimeout(() => process.exit(code), CANCEL_GRACE_MS).unref();
  }, (err) => {
    process.stderr.write(`exdiag: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
