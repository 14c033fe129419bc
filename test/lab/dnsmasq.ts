// The lab's authoritative DNS for `.test`: dnsmasq with local=/test/ answers NXDOMAIN for unknown
// names and NODATA for known names without the asked type, like a real zone.
import { writeFile } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { startChild, type Child } from './child.js';
import { waitUntil } from './readiness.js';
import { ADDR, DOMAINS, HOSTS, LAB_SERVER, PORTS, TXT_RECORDS } from './scenarios.js';

/** dnsmasq configuration lines derived from scenarios.ts. */
export function dnsmasqConfig(logFile: string, pidFile: string): string {
  const lines = [
    `port=${PORTS.dns}`,
    `listen-address=${ADDR.main}`,
    'bind-interfaces',
    'no-resolv',
    'no-hosts',
    'no-poll',
    'local=/test/',
    'domain-needed',
    'log-queries',
    `log-facility=${logFile}`,
    `pid-file=${pidFile}`,
    'user=root',
    'local-ttl=1',
  ];
  for (const [name, ip] of Object.entries(HOSTS)) lines.push(`host-record=${name},${ip}`);
  // One txt-record line per record: several lines for one name are several TXT records.
  const txt = (name: string, records: string[] = []) => {
    for (const r of records) lines.push(`txt-record=${name},"${r.replace(/["\\]/g, '\\$&')}"`);
  };
  for (const [name, records] of Object.entries(TXT_RECORDS)) txt(name, records);
  for (const [domain, s] of Object.entries(DOMAINS)) {
    // The domain's website is elsewhere: https://<domain>/autodiscover/... is refused.
    lines.push(`host-record=${domain},${s.address ?? ADDR.down}`);
    for (const [pref, host] of s.mx) lines.push(`mx-host=${domain},${host},${pref}`);
    txt(domain, s.spf);
    txt(`_dmarc.${domain}`, s.dmarc);
    if (s.srv) {
      const [prio, weight, port, target] = s.srv;
      lines.push(`srv-host=_autodiscover._tcp.${domain},${target},${port},${prio},${weight}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function startDnsmasq(dir: string): Promise<{ stop(): Promise<void>; server: string }> {
  const conf = join(dir, 'dnsmasq.conf');
  const log = join(dir, 'dnsmasq.log');
  await writeFile(conf, dnsmasqConfig(log, join(dir, 'dnsmasq.pid')));
  const child: Child = startChild('dnsmasq', ['--keep-in-foreground', `--conf-file=${conf}`], log);
  const server = `${ADDR.main}:${PORTS.dns}`;
  const r = new Resolver({ timeout: 300, tries: 1 });
  r.setServers([server]);
  try {
    await waitUntil('dnsmasq', async () => (await r.resolve4(LAB_SERVER))[0] === HOSTS[LAB_SERVER], { logFile: log, exited: child.exited });
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { server, stop: () => child.stop() };
}
