// The lab's authoritative DNS for `.test`: dnsmasq with local=/test/ answers NXDOMAIN for unknown
// names and NODATA for known names without the asked type, like a real zone.
import { writeFile } from 'node:fs/promises';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { startChild, type Child } from './child.js';
import { waitUntil } from './readiness.js';
import { ADDR, DNSBL, DOMAINS, HOSTS, LAB_SERVER, PORTS, PTR_RECORDS, TXT_RECORDS } from './scenarios.js';

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
    // Reverse DNS of the loopback addresses: host-record PTRs, ptr-record below, NXDOMAIN for the rest.
    'local=/127.in-addr.arpa/',
    'domain-needed',
    'log-queries',
    `log-facility=${logFile}`,
    `pid-file=${pidFile}`,
    'user=root',
    'local-ttl=1',
  ];
  for (const [name, ip] of Object.entries(HOSTS)) lines.push(`host-record=${name},${ip}`);
  // One txt-record line per record: several lines for one name are several TXT records. A record
  // longer than 255 bytes is split into character-strings (RFC 1035 §3.3.14), as a DKIM key is.
  const txt = (name: string, records: string[] = []) => {
    for (const r of records) lines.push(`txt-record=${name},${(r.match(/[\s\S]{1,255}/g) ?? ['']).map((c) => `"${c.replace(/["\\]/g, '\\$&')}"`).join(',')}`);
  };
  for (const [name, records] of Object.entries(TXT_RECORDS)) txt(name, records);
  for (const [ip, name] of Object.entries(PTR_RECORDS)) lines.push(`ptr-record=${ip.split('.').reverse().join('.')}.in-addr.arpa,${name}`);
  // DNS blocklists (RFC 5782): the test entry 127.0.0.2 and the listed addresses answer 127.0.0.2
  // with a TXT reason; any other name in the zone is NXDOMAIN. The broken zone answers everything.
  const listed = (ip: string) => `${ip.split('.').reverse().join('.')}.${DNSBL.zone}`;
  for (const ip of ['127.0.0.2', ...Object.keys(DNSBL.listed)]) lines.push(`address=/${listed(ip)}/127.0.0.2`);
  for (const [ip, reason] of Object.entries(DNSBL.listed)) txt(listed(ip), [reason]);
  lines.push(`address=/${DNSBL.broken}/127.0.0.2`);
  for (const [domain, s] of Object.entries(DOMAINS)) {
    // The domain's website is elsewhere: https://<domain>/autodiscover/... is refused.
    lines.push(`host-record=${domain},${s.address ?? ADDR.down}`);
    for (const [pref, host] of s.mx) lines.push(`mx-host=${domain},${host},${pref}`);
    txt(domain, s.spf);
    txt(`_dmarc.${domain}`, s.dmarc);
    if (s.mtaSts) {
      txt(`_mta-sts.${domain}`, s.mtaSts.txt);
      lines.push(`host-record=mta-sts.${domain},${ADDR.main}`);
    }
    txt(`_smtp._tls.${domain}`, s.tlsRpt);
    for (const [selector, records] of Object.entries(s.dkim ?? {})) txt(`${selector}._domainkey.${domain}`, records);
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
