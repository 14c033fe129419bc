import { readFile } from 'node:fs/promises';
import { ImapFlow } from 'imapflow';
import { mailbox } from './lab/scenarios.js';
for (const a of ['legacyimap@healthy.test', 'user@iprestricted.test', 'healthy@healthy.test']) {
  const c = new ImapFlow({ host: '127.0.0.1', port: 10993, secure: true, tls: { servername: 'ex.lab.test' }, logger: false, auth: { user: a, pass: mailbox(a).password } });
  c.on('error', () => undefined);
  try { await c.connect(); console.log(a, 'OK'); await c.logout(); } catch (e) { console.log(a, 'refused', (e as Error).message); }
}
await new Promise((r) => setTimeout(r, 1500));
const log = await readFile(`${process.env.LAB_DIR}/dovecot.log`, 'utf8');
console.log(log.split('\n').filter((l) => /legacyimap|iprestricted/.test(l)).join('\n'));
