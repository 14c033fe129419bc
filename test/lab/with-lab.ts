// `tsx test/lab/with-lab.ts -- <command…>`: runs one command against a fresh lab (its env merged
// into the command's environment) and always stops the lab, whatever happens to the command.
import { spawn } from 'node:child_process';
import { startLab, type Lab } from './lab.js';

async function main(): Promise<number> {
  const sep = process.argv.indexOf('--');
  const cmd = sep >= 0 ? process.argv.slice(sep + 1) : process.argv.slice(2);
  if (!cmd.length) {
    process.stderr.write('usage: tsx test/lab/with-lab.ts -- <command> [args…]\n');
    return 2;
  }
  let lab: Lab | undefined;
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    signalled = sig;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    lab = await startLab({ log: (m) => process.stderr.write(`${m}\n`) });
    if (signalled) return 128 + (signalled === 'SIGINT' ? 2 : 15);
    const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, ...lab.env } });
    // Forward signals to the command; the lab is stopped once it has exited.
    const forward = (sig: NodeJS.Signals) => {
      signalled = sig;
      child.kill(sig);
    };
    process.removeListener('SIGINT', onSignal).removeListener('SIGTERM', onSignal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    return await new Promise<number>((resolve) => {
      child.on('error', (err) => {
        process.stderr.write(`with-lab: cannot run ${cmd[0]}: ${err.message}\n`);
        resolve(127);
      });
      child.on('exit', (code, sig) => resolve(code ?? 128 + (sig === 'SIGINT' ? 2 : sig === 'SIGKILL' ? 9 : 15)));
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  } finally {
    if (lab) {
      await lab.stop().catch((err) => process.stderr.write(`${(err as Error).message}\n`));
    }
  }
}

main().then((code) => process.exit(code));
