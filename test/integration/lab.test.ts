// Proves the lab itself behaves as scenarios.ts says, talking to the real servers the way the
// service will (names through the lab DNS, certificates trusted only through NODE_EXTRA_CA_CERTS).
// Run: npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/lab.test.ts
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { failedLogins } from '../lab/logs.js';
import { ADDR, LAB_SERVER, PORTS, mailbox } from '../lab/scenarios.js';

const labDir = process.env.LAB_DIR;
const skip = labDir ? false : 'not under the lab: run with `npx tsx test/lab/with-lab.ts -- node --import tsx --test test/integration/lab.test.ts`';

const dns = new Resolver({ timeout: 1000, tries: 2 });
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: NodeJS.ErrnoException) => e.code);

function imap(address: string, password: string, host: string = ADDR.main) {
  return new ImapFlow({ host, port: PORTS.imaps, secure: true, servername: LAB_SERVER, auth: { user: address, pass: password }, logger: false });
}

function submission(auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({ host: ADDR.main, port: PORTS.submission, secure: false, requireTLS: true, auth, tls: { servername: LAB_SERVER } });
}

const mx = () => nodemailer.createTransport({ host: ADDR.main, port: PORTS.mx, secure: false, name: 'probe.diagnostics.test', tls: { rejectUnauthorized: false } });

const message = (to: string, token: string, from = 'probe@diagnostics.test') => ({
  from, to, subject: `lab test ${token}`, text: 'lab test', headers: { 'X-Lab-Token': token },
});

/** Waits (IDLE, `exists` events) until a message with the token is in `path`; returns its UIDs. */
async function waitForToken(c: ImapFlow, path: string, token: string, timeoutMs = 10000): Promise<number[]> {
  // Selected and without a lock held, imapflow idles, so new mail arrives as an `exists` event.
  await c.mailboxOpen(path);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const uids = (await c.search({ header: { 'X-Lab-Token': token } }, { uid: true })) || [];
    if (uids.length) return uids;
    const left = deadline - Date.now();
    if (left <= 0) return [];
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, Math.min(left, 1000));
      function done() {
        clearTimeout(t);
        c.off('exists', done);
        resolve();
      }
      c.on('exists', done);
    });
  }
}

async function deleteToken(c: ImapFlow, path: string, uids: number[]) {
  if (!uids.length) return;
  await c.mailboxOpen(path);
  await c.messageDelete(uids, { uid: true });
}

/** The message carrying `token` arrived once in the INBOX of `address`; it is deleted. */
async function takeOneFromInbox(address: string, password: string, token: string): Promise<void> {
  const c = imap(address, password);
  await c.connect();
  try {
    const uids = await waitForToken(c, 'INBOX', token);
    assert.equal(uids.length, 1);
    await deleteToken(c, 'INBOX', uids);
  } finally {
    await c.logout();
  }
}

/** A minimal SMTP dialogue, to see what the server offers before TLS. */
async function smtpPlain(port: number, lines: string[]): Promise<string[]> {
  const s: Socket = connect({ host: ADDR.main, port });
  const replies: string[] = [];
  let buf = '';
  const next = () => new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      buf += d.toString();
      // A complete reply ends with a line "NNN text" (space, not dash, after the code).
      const m = buf.match(/(^|\n)(\d{3}) [^\n]*\r?\n$/);
      if (m) {
        s.off('data', onData);
        const r = buf;
        buf = '';
        resolve(r);
      }
    };
    s.on('data', onData);
    s.once('error', reject);
  });
  try {
    replies.push(await next());
    for (const l of lines) {
      s.write(`${l}\r\n`);
      replies.push(await next());
    }
  } finally {
    s.destroy();
  }
  return replies;
}

describe('lab', { skip }, () => {
  before(() => {
    dns.setServers((process.env.DNS_SERVERS ?? '').split(','));
  });

  describe('dnsmasq', () => {
    test('MX records per domain, NODATA when a domain has none', async () => {
      const mxs = (await dns.resolveMx('healthy.test')).sort((a, b) => a.priority - b.priority);
      assert.deepEqual(mxs, [{ exchange: 'mx1.lab.test', priority: 10 }, { exchange: 'mx2.lab.test', priority: 20 }]);
      assert.deepEqual(await dns.resolveMx('mx-elsewhere.test'), [{ exchange: 'mx.elsewhere.test', priority: 10 }]);
      assert.equal(await codeOf(dns.resolveMx('mx-missing.test')), 'ENODATA');
    });

    test('_autodiscover._tcp SRV records, absent where the scenario says', async () => {
      assert.deepEqual(await dns.resolveSrv('_autodiscover._tcp.healthy.test'), [{ name: LAB_SERVER, port: 443, priority: 0, weight: 0 }]);
      assert.deepEqual(await dns.resolveSrv('_autodiscover._tcp.srv-wrong.test'), [{ name: 'mx1.lab.test', port: 8443, priority: 10, weight: 5 }]);
      assert.equal(await codeOf(dns.resolveSrv('_autodiscover._tcp.srv-missing.test')), 'ENOTFOUND');
    });

    test('A records: lab hosts, domains point at the down address, autodiscover.<domain> and unknown names are NXDOMAIN', async () => {
      assert.deepEqual(await dns.resolve4(LAB_SERVER), [ADDR.main]);
      assert.deepEqual(await dns.resolve4('expired.lab.test'), [ADDR.expiredCert]);
      assert.deepEqual(await dns.resolve4('healthy.test'), [ADDR.down]);
      assert.equal(await codeOf(dns.resolve4('autodiscover.healthy.test')), 'ENOTFOUND');
      assert.equal(await codeOf(dns.resolve4('no-such-host.lab.test')), 'ENOTFOUND');
      assert.equal(await codeOf(dns.resolve6(LAB_SERVER)), 'ENODATA');
    });
  });

  describe('submission', () => {
    test('offers AUTH only after STARTTLS and refuses mail before it', async () => {
      const [banner, ehlo, mail] = await smtpPlain(PORTS.submission, ['EHLO probe.test', 'MAIL FROM:<healthy@healthy.test>']);
      assert.match(banner, /^220 /);
      assert.match(ehlo, /STARTTLS/);
      assert.doesNotMatch(ehlo, /AUTH/);
      assert.match(mail, /^530 5\.7\.0 /);
    });

    test('refuses to relay without AUTH even over TLS', async () => {
      const err = await submission().sendMail(message('healthy@healthy.test', randomUUID())).then(() => undefined, (e: { responseCode?: number; response?: string }) => e);
      assert.equal(err?.responseCode, 554);
      assert.match(err?.response ?? '', /^554 5\.7\.1 .*Access denied/);
    });

    test('accepts healthy@ and delivers to its own mailbox', async () => {
      const m = mailbox('healthy@healthy.test');
      const token = randomUUID();
      const info = await submission({ user: m.address, pass: m.password }).sendMail(message(m.address, token, m.address));
      assert.match(info.response, /^250 2\.0\.0/);
      await takeOneFromInbox(m.address, m.password, token);
    });

    test('rejects the spam-blocked sender with 5.7.1', async () => {
      const m = mailbox('spammer@healthy.test');
      const err = await submission({ user: m.address, pass: m.password }).sendMail(message('healthy@healthy.test', randomUUID(), m.address))
        .then(() => undefined, (e: { responseCode?: number; response?: string }) => e);
      assert.equal(err?.responseCode, 554);
      assert.match(err?.response ?? '', /^554 5\.7\.1 .*spam/);
    });

    test('serves an expired certificate on 127.0.0.3', async () => {
      const m = mailbox('healthy@healthy.test');
      const t = nodemailer.createTransport({ host: ADDR.expiredCert, port: PORTS.submission, secure: false, requireTLS: true, auth: { user: m.address, pass: m.password }, tls: { servername: LAB_SERVER } });
      const err = await t.verify().then(() => undefined, (e: { code?: string; message: string }) => e);
      assert.match(`${err?.code} ${err?.message}`, /CERT_HAS_EXPIRED|certificate has expired/);
    });
  });

  describe('MX and delivery', () => {
    test('mail to healthy@ lands in INBOX; junk@ in Junk; dropped.test is accepted and never arrives', async () => {
      const healthy = mailbox('healthy@healthy.test');
      const junk = mailbox('junk@healthy.test');
      const dropped = mailbox('user@dropped.test');
      const [tDropped, tHealthy, tJunk] = [randomUUID(), randomUUID(), randomUUID()];
      const t = mx();
      // The dropped message goes first: once the later ones have arrived, it had every chance to.
      assert.match((await t.sendMail(message(dropped.address, tDropped))).response, /^250 /);
      assert.match((await t.sendMail(message(healthy.address, tHealthy))).response, /^250 /);
      assert.match((await t.sendMail(message(junk.address, tJunk))).response, /^250 /);

      await takeOneFromInbox(healthy.address, healthy.password, tHealthy);

      const cj = imap(junk.address, junk.password);
      await cj.connect();
      try {
        const list = await cj.list();
        assert.equal(list.find((b) => b.specialUse === '\\Junk')?.path, 'Junk');
        const inJunk = await waitForToken(cj, 'Junk', tJunk);
        assert.equal(inJunk.length, 1);
        assert.deepEqual(await waitForToken(cj, 'INBOX', tJunk, 0), []);
        await deleteToken(cj, 'Junk', inJunk);
      } finally {
        await cj.logout();
      }

      const cd = imap(dropped.address, dropped.password);
      await cd.connect();
      try {
        assert.deepEqual(await waitForToken(cd, 'INBOX', tDropped, 1000), []);
        assert.deepEqual(await waitForToken(cd, 'Junk', tDropped, 0), []);
      } finally {
        await cd.logout();
      }
      const log = await readFile(join(labDir!, 'postfix.log'), 'utf8');
      assert.match(log, /NOQUEUE: discard: RCPT .*to=<user@dropped\.test>/);
    });

    test('unknown users get 550 5.1.1 and other destinations are not relayed', async () => {
      const t = mx();
      const unknown = await t.sendMail(message('nobody@healthy.test', randomUUID())).then(() => undefined, (e: { response?: string }) => e.response);
      assert.match(unknown ?? '', /^550 5\.1\.1 /);
      const relay = await t.sendMail(message('someone@example.com', randomUUID())).then(() => undefined, (e: { response?: string }) => e.response);
      assert.match(relay ?? '', /^554 5\.7\.1 .*Relay access denied/);
    });

    test('greylists delayed@ with 450 4.7.1 for about 3 s, then accepts the same triplet', async () => {
      const m = mailbox('delayed@healthy.test');
      const from = `grey-${randomUUID()}@diagnostics.test`;
      const token = randomUUID();
      const t = mx();
      const first = await t.sendMail(message(m.address, token, from)).then(() => undefined, (e: { response?: string }) => e.response);
      assert.match(first ?? '', /^450 4\.7\.1 .*Greylisted/);
      const t0 = Date.now();
      let accepted = '';
      while (!accepted && Date.now() - t0 < 8000) {
        accepted = await t.sendMail(message(m.address, token, from)).then((i) => i.response, () => '');
        if (!accepted) await new Promise((r) => setTimeout(r, 500));
      }
      assert.match(accepted, /^250 /);
      assert.ok(Date.now() - t0 >= 2000, 'accepted too early for greylisting');
      await takeOneFromInbox(m.address, m.password, token);
    });
  });

  describe('IMAP', () => {
    test('verifies with the lab CA, offers IDLE and the special-use folders', async () => {
      const m = mailbox('healthy@healthy.test');
      const c = imap(m.address, m.password);
      await c.connect();
      try {
        assert.ok(c.capabilities.has('IDLE'));
        const uses = new Set((await c.list()).map((b) => b.specialUse).filter(Boolean));
        for (const u of ['\\Inbox', '\\Junk', '\\Sent', '\\Trash', '\\Drafts']) assert.ok(uses.has(u), `missing ${u}`);
      } finally {
        await c.logout();
      }
    });

    test('the expired certificate on 127.0.0.3 fails verification', async () => {
      const m = mailbox('healthy@healthy.test');
      const c = imap(m.address, m.password, ADDR.expiredCert);
      const err = await c.connect().then(() => undefined, (e: { code?: string }) => e);
      assert.equal(err?.code, 'CERT_HAS_EXPIRED');
    });

    test('refused accounts fail like a wrong password', async () => {
      const m = mailbox('locked@healthy.test');
      const c = imap(m.address, m.password);
      const err = await c.connect().then(() => undefined, (e: { authenticationFailed?: boolean; serverResponseCode?: string }) => e);
      assert.equal(err?.authenticationFailed, true);
    });
  });

  describe('failedLogins', () => {
    // A mailbox no other test signs in to with a wrong password, so counts are not disturbed.
    const m = mailbox('user@expiring.test');

    test('counts exactly one failed IMAP login after one bad IMAP login', async () => {
      const before = await failedLogins(m.address);
      const c = imap(m.address, 'not-the-password');
      const err = await c.connect().then(() => undefined, (e: { authenticationFailed?: boolean }) => e);
      assert.equal(err?.authenticationFailed, true);
      const afterOne = await failedLogins(m.address);
      assert.deepEqual(afterOne, { ...before, imap: before.imap + 1 });
    });

    test('counts a failed SMTP AUTH separately from IMAP', async () => {
      const before = await failedLogins(m.address);
      const err = await submission({ user: m.address, pass: 'not-the-password' }).verify().then(() => undefined, (e: { responseCode?: number }) => e);
      assert.equal(err?.responseCode, 535);
      // Postfix logs through postlogd, after the 535 has been sent: on a loaded machine the line can
      // land a moment later, so wait for it (bounded) before comparing.
      let afterOne = await failedLogins(m.address);
      for (let i = 0; i < 50 && afterOne.smtp === before.smtp; i++) {
        await new Promise((r) => setTimeout(r, 100));
        afterOne = await failedLogins(m.address);
      }
      assert.deepEqual(afterOne, { ...before, smtp: before.smtp + 1 });
    });

    test('a successful login counts nothing', async () => {
      const before = await failedLogins(m.address);
      const c = imap(m.address, m.password);
      await c.connect();
      await c.logout();
      assert.deepEqual(await failedLogins(m.address), before);
    });
  });
});
