// The Exchange Online look-alike submission server (test/lab/hostile/exo-smtp.ts) held to the
// published transcripts it follows (sources in its header; shared/reference/exchange-protocol-facts.md
// §6): greeting, pre-TLS EHLO with STARTTLS and no AUTH, AUTH LOGIN XOAUTH2 after TLS, PLAIN refused
// 504 5.7.4, LOGIN answered 535 5.7.139 whatever the password, MAIL without AUTH 530 5.7.57.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { makeCerts } from '../lab/certs.js';
import { exoSmtpServer } from '../lab/hostile/exo-smtp.js';
import { hostileLog } from '../lab/hostile/log.js';
import { LAB_SERVER } from '../lab/scenarios.js';

let dir: string;
let server: Server;
let port: number;
let ca: Buffer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'exo-smtp-'));
  const certs = await makeCerts(dir);
  ca = await readFile(certs.ca);
  server = exoSmtpServer({ key: await readFile(certs.main.key), cert: await readFile(certs.main.cert) }, hostileLog(join(dir, 'hostile.log')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
after(async () => {
  await new Promise((r) => server?.close(r));
  await rm(dir, { recursive: true, force: true });
});

/** A reply: its lines up to the one whose 4th character is a space (RFC 5321 §4.2.1). */
function reader(socket: Socket | ReturnType<typeof tlsConnect>) {
  let buf = '';
  const waiting: Array<(r: string[]) => void> = [];
  const pump = () => {
    for (;;) {
      const lines = buf.split('\r\n');
      const end = lines.findIndex((l) => /^\d{3} /.test(l));
      if (end < 0 || !waiting.length) return;
      buf = lines.slice(end + 1).join('\r\n');
      waiting.shift()!(lines.slice(0, end + 1));
    }
  };
  socket.on('data', (c: Buffer) => { buf += c.toString('latin1'); pump(); });
  return () => new Promise<string[]>((resolve) => { waiting.push(resolve); pump(); });
}

test('the EXO look-alike answers as Exchange Online does with SMTP AUTH disabled for the tenant', async () => {
  const plain = connect(port, '127.0.0.1');
  let next = reader(plain);
  const say = async (sock: { write(s: string): unknown }, line: string) => { sock.write(`${line}\r\n`); return next(); };
  try {
    assert.match((await next())[0], /^220 \S+ Microsoft ESMTP MAIL Service ready at /);
    const ehlo = await say(plain, 'EHLO client.lab.test');
    assert.match(ehlo[0], /^250-\S+ Hello \[/);
    assert.ok(ehlo.some((l) => /^250[- ]STARTTLS$/.test(l)), 'STARTTLS before TLS');
    assert.ok(!ehlo.some((l) => /AUTH/.test(l)), 'no AUTH before TLS');
    assert.ok(ehlo.some((l) => l === '250-SIZE 157286400') && ehlo.some((l) => l === '250-ENHANCEDSTATUSCODES'));
    assert.match((await say(plain, 'MAIL FROM:<a@healthy.test>'))[0], /^530 5\.7\.57 Client not authenticated to send mail/);
    assert.match((await say(plain, 'STARTTLS'))[0], /^220 2\.0\.0 /);
    const secure = tlsConnect({ socket: plain, servername: LAB_SERVER, ca });
    await new Promise<void>((r, j) => { secure.once('secureConnect', r); secure.once('error', j); });
    next = reader(secure);
    const ehlo2 = await say(secure, 'EHLO client.lab.test');
    assert.ok(ehlo2.includes('250-AUTH LOGIN XOAUTH2'), ehlo2.join('|'));
    assert.match((await say(secure, 'AUTH PLAIN AGhlYWx0aHlAaGVhbHRoeS50ZXN0AHB3'))[0], /^504 5\.7\.4 Unrecognized authentication type/);
    assert.equal((await say(secure, 'AUTH LOGIN'))[0], '334 VXNlcm5hbWU6');
    assert.equal((await say(secure, Buffer.from('healthy@healthy.test').toString('base64')))[0], '334 UGFzc3dvcmQ6');
    const refused = (await say(secure, Buffer.from('any password').toString('base64')))[0];
    assert.match(refused, /^535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant\. Visit https:\/\/aka\.ms\/smtp_auth_disabled for more information\. \[\S+ \d{4}-\d\d-\d\dT[\d:.]+Z [0-9A-F]+\]$/);
    assert.match((await say(secure, 'QUIT'))[0], /^221 /);
    secure.destroy();
  } finally {
    plain.destroy();
  }
});
