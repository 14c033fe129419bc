// `npm run lab`: starts the lab, prints how to point the service at it, waits for Ctrl-C, stops.
import { startLab } from './lab.js';
import { DOMAINS, MAILBOXES } from './scenarios.js';

async function main(): Promise<void> {
  const lab = await startLab({ log: (m) => process.stderr.write(`${m}\n`) });
  const q = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
  const out: string[] = ['# Point the service at the lab (paste into another shell):'];
  for (const [k, v] of Object.entries(lab.env)) out.push(`export ${k}=${q(v)}`);
  out.push('', '# Mailboxes (address  password  fault):');
  for (const m of MAILBOXES) out.push(`#   ${m.address.padEnd(32)} ${m.password.padEnd(28)} ${m.note}`);
  out.push('', '# Domains:');
  for (const [d, s] of Object.entries(DOMAINS)) out.push(`#   ${d.padEnd(22)} ${s.note}`);
  out.push('', `# Logs: ${lab.dir}/{dovecot,postfix,dnsmasq,redis,standins}.log`, '# Ctrl-C stops the lab.');
  process.stdout.write(`${out.join('\n')}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('lab: stopping…\n');
    await lab.stop().catch((err) => process.stderr.write(`${(err as Error).message}\n`));
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Keep the event loop alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
