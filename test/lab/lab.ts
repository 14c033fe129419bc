// Starts the whole lab (CA, dnsmasq, Dovecot, Postfix, greylist policy, Redis, HTTPS stand-ins) on
// loopback with throwaway config under a temp dir, and hands back the environment that points the
// service at it — ordinary production settings, no test-only code path.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { makeCerts, type LabCerts } from './certs.js';
import { startDnsmasq } from './dnsmasq.js';
import { startDovecot } from './dovecot.js';
import { startGreylist } from './greylist.js';
import { startHostile } from './hostile/index.js';
import { acquireLabLock, recordLabDir } from './lock.js';
import { failedLogins, type FailedLogins } from './logs.js';
import { assertLabPortsFree } from './ports.js';
import { ensureLoopbackAddress } from './postfix.js';
import { LAB_DIR_PREFIX, startPostfix } from './postfix.js';
import { restartRedis, startRedis, stopRedis } from './redis.js';
import { ADDR, DNSBL, HOSTILE, LAB_DKIM_SELECTORS, LAB_MX, LAB_SERVER, LAB_SPF_INCLUDE, PORTS, STATUS, mailbox } from './scenarios.js';

export interface LabOptions {
  /** Keep the temp dir after stop (for debugging); default false, or LAB_KEEP=1. */
  keep?: boolean;
  /** Use this Redis instead of starting a private one; default process.env.REDIS_URL. */
  redisUrl?: string;
  /** Progress messages (default: silent). */
  log?: (msg: string) => void;
}

export interface Lab {
  dir: string;
  /** Everything the service needs, as ordinary configuration. */
  env: Record<string, string>;
  certs: LabCerts;
  stop(): Promise<void>;
  /** Restarts the lab's private Redis (same port and AOF dir); throws when REDIS_URL was given. */
  restartRedis(): Promise<void>;
  failedLogins(address: string): Promise<FailedLogins>;
}

/** The lab's platform profiles, in the PLATFORMS_FILE format of src/platforms/catalogue.ts. */
export function labPlatforms(): Record<string, unknown> {
  const lab = {
    label: 'Exchange lab (loopback)',
    server: LAB_SERVER,
    mx: LAB_MX,
    srv: { target: '{server}', port: 443, priority: 0, weight: 0 },
    imap: { host: '{server}', port: PORTS.imaps },
    smtp: { host: '{server}', port: PORTS.submission },
    ews: 'https://{server}/EWS/Exchange.asmx',
    owa: 'https://{server}/owa/',
    statusPage: { url: 'https://status.lab.test/api/v2', components: [STATUS.component] },
    spf: { include: [LAB_SPF_INCLUDE] },
    dkim: { selectors: LAB_DKIM_SELECTORS },
    outbound: [ADDR.outbound],
  };
  return {
    lab,
    'lab-incident': { ...lab, label: 'Exchange lab with an open incident', statusPage: { ...lab.statusPage, url: 'https://status.lab.test/incident/api/v2' } },
    // Outbound reputation faults (DNS data only): a blocklisted address, then addresses whose reverse DNS is missing or unconfirmed.
    'lab-outbound-bad': { ...lab, label: 'Exchange lab sending from a blocklisted address and addresses with bad reverse DNS', outbound: [ADDR.outboundListed, ADDR.outboundNoPtr, ADDR.outboundBadPtr] },
    'lab-outbound-rdns': { ...lab, label: 'Exchange lab sending from addresses with bad reverse DNS', outbound: [ADDR.outboundNoPtr, ADDR.outboundBadPtr] },
    // Submission on an Exchange Online look-alike whose tenant has SMTP AUTH off (535 5.7.139); IMAP and EWS stay the lab's.
    'lab-exo-smtp': { ...lab, label: 'Exchange lab with Exchange Online submission (SMTP AUTH disabled for the tenant)', smtp: { host: HOSTILE.exoSmtpAuthDisabled, port: PORTS.exoSubmission } },
  };
}

type StandinsModule = {
  startStandins(opts: { dir: string; caCertPath: string; cert: { key: string; cert: string }; expiredCert: { key: string; cert: string }; expiringCert?: { key: string; cert: string }; logFile: string }): Promise<{ stop(): Promise<void>; env: Record<string, string> }>;
};

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const say = opts.log ?? (() => undefined);
  const keep = opts.keep ?? process.env.LAB_KEEP === '1';
  const release = await acquireLabLock({ log: say });
  try {
    await ensureLoopbackAddress(ADDR.expiredCert);
    await ensureLoopbackAddress(ADDR.expiringCert);
    await ensureLoopbackAddress(ADDR.hostile);
    await ensureLoopbackAddress(ADDR.forbidden);
    await assertLabPortsFree(30_000, say);
  } catch (err) {
    await release();
    throw err;
  }
  const dir = await mkdtemp(join(tmpdir(), LAB_DIR_PREFIX));
  await recordLabDir(dir);
  // Dovecot's and Postfix's unprivileged processes must reach sockets and files in here.
  await chmod(dir, 0o755);
  const stops: Array<[string, () => Promise<void>]> = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const errors: string[] = [];
    for (const [name, fn] of stops.reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(`${name}: ${(err as Error).message}`);
      }
    }
    if (!keep) await rm(dir, { recursive: true, force: true });
    await release();
    if (errors.length) throw new Error(`lab: stop: ${errors.join('; ')}`);
  };
  try {
    const t0 = Date.now();
    const certs = await makeCerts(dir);
    const greylist = await startGreylist();
    stops.push(['greylist', greylist.stop]);
    const [dns, dovecot, redisUrl] = await Promise.all([
      startDnsmasq(dir).then((d) => (stops.push(['dnsmasq', d.stop]), d)),
      startDovecot(dir, certs).then((d) => (stops.push(['dovecot', d.stop]), d)),
      (async () => {
        const given = opts.redisUrl ?? process.env.REDIS_URL;
        if (given) return given;
        stops.push(['redis', () => stopRedis(dir)]);
        return startRedis(dir);
      })(),
    ]);
    const postfix = await startPostfix({ dir, certs, dovecot: dovecot.paths, greylistPort: greylist.port });
    stops.push(['postfix', postfix.stop]);
    const standinsEnv = await startStandinsIfPresent(dir, certs, stops, say);
    const hostile = await startHostile({ labDir: dir, cert: certs.main });
    stops.push(['hostile', hostile.stop]);
    const platformsFile = join(dir, 'platforms.yaml');
    await writeFile(platformsFile, stringify(labPlatforms(), { aliasDuplicateObjects: false }));
    const env: Record<string, string> = {
      DNS_SERVERS: dns.server,
      MX_PORT: String(PORTS.mx),
      // The lab's servers live on loopback, which the checks may not reach by default.
      CHECK_EGRESS_ALLOWLIST: '127.0.0.0/8',
      // Where the service's traffic leaves from (a deployment's NAT address): every lab client is
      // 127.0.0.1, which the providers' authorised IPs are judged against (IP_NOT_AUTHORIZED).
      EGRESS_ADDRESSES: ADDR.main,
      NODE_EXTRA_CA_CERTS: certs.ca,
      PLATFORMS_FILE: platformsFile,
      DEFAULT_PLATFORM: 'lab',
      REDIS_URL: redisUrl,
      HELO_NAME: 'probe.diagnostics.test',
      // Only the lab's own blocklists (served by its dnsmasq): no query ever leaves the machine.
      DNSBL_ZONES: `${DNSBL.zone},${DNSBL.broken}`,
      TEST_MAIL_FROM: 'probe@diagnostics.test',
      ...standinsEnv,
      LAB_DIR: dir,
      LAB_DEMO_PASSWORD: mailbox('healthy@healthy.test').password,
    };
    await writeFile(join(dir, 'lab.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    say(`lab: ready in ${Date.now() - t0} ms at ${dir}`);
    return {
      dir,
      env,
      certs,
      stop,
      restartRedis: () => restartRedis(dir),
      failedLogins: (address: string) => failedLogins(address, dir),
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

async function startStandinsIfPresent(dir: string, certs: LabCerts, stops: Array<[string, () => Promise<void>]>, say: (m: string) => void): Promise<Record<string, string>> {
  if (!existsSync(fileURLToPath(new URL('./standins/index.ts', import.meta.url)))) {
    say('lab: WARNING: test/lab/standins/index.ts not found — HTTPS stand-ins (Autodiscover, EWS, OVHcloud API, RDAP, status page) not started');
    return {};
  }
  const mod = (await import('./standins/index.js')) as StandinsModule;
  await mkdir(join(dir, 'standins'), { recursive: true });
  const s = await mod.startStandins({
    dir: join(dir, 'standins'),
    caCertPath: certs.ca,
    cert: { key: certs.main.key, cert: certs.main.cert },
    expiredCert: { key: certs.expired.key, cert: certs.expired.cert },
    expiringCert: { key: certs.expiring.key, cert: certs.expiring.cert },
    logFile: join(dir, 'standins.log'),
  });
  stops.push(['standins', s.stop]);
  return s.env;
}
