// Fails fast, and says why, when a lab port is taken by something else (a stray server): otherwise
// readiness probes could be answered by the intruder.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { ADDR, PORTS } from './scenarios.js';

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/** Waits up to `waitMs` for the ports to be free (a short test may briefly hold 443), then fails. */
export async function assertLabPortsFree(waitMs = 30_000, log?: (m: string) => void): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const busy = await busyPorts();
    if (!busy.length) return;
    if (Date.now() > deadline) throw new Error(`lab: ports already in use: ${busy.join(', ')} — another process is listening (see: ss -ltnup)`);
    if (!told) log?.(`lab: waiting for ${busy.join(', ')} to be free`);
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function busyPorts(): Promise<string[]> {
  const tcp: Array<[string, number, string]> = [
    [ADDR.main, PORTS.dns, 'dnsmasq'],
    [ADDR.main, PORTS.mx, 'postfix MX'],
    [ADDR.expiredCert, PORTS.mx, 'postfix MX (expired cert)'],
    [ADDR.main, PORTS.submission, 'postfix submission'],
    [ADDR.expiredCert, PORTS.submission, 'postfix submission (expired cert)'],
    [ADDR.expiringCert, PORTS.submission, 'postfix submission (expiring cert)'],
    [ADDR.main, PORTS.imaps, 'dovecot'],
    [ADDR.expiredCert, PORTS.imaps, 'dovecot (expired cert)'],
    [ADDR.expiringCert, PORTS.imaps, 'dovecot (expiring cert)'],
    [ADDR.main, PORTS.https, 'HTTPS stand-ins'],
    [ADDR.main, PORTS.http, 'HTTP stand-in (Autodiscover redirect probe)'],
    [ADDR.expiredCert, PORTS.https, 'HTTPS stand-ins (expired cert)'],
    [ADDR.expiringCert, PORTS.https, 'HTTPS stand-ins (expiring cert)'],
  ];
  const busy: string[] = [];
  for (const [host, port, what] of tcp) if (!(await tcpFree(host, port))) busy.push(`${host}:${port}/tcp (${what})`);
  if (!(await udpFree(ADDR.main, PORTS.dns))) busy.push(`${ADDR.main}:${PORTS.dns}/udp (dnsmasq)`);
  return busy;
}
