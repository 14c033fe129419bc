// The lab's own CA and certificates. The service learns the CA only through NODE_EXTRA_CA_CERTS,
// exactly as a deployment behind a private PKI would.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ADDR, DOMAINS, HOSTS, LAB_ZONE } from './scenarios.js';

const run = promisify(execFile);

export interface KeyPair {
  /** PEM file paths. */
  cert: string;
  key: string;
}

export interface LabCerts {
  /** The CA certificate (PEM file) to trust. */
  ca: string;
  /** Valid leaf for every lab name. */
  main: KeyPair;
  /** Same names, expired two days ago. */
  expired: KeyPair;
  /** Same names, valid now, expires 5 days after the lab started (TLS_EXPIRING). */
  expiring: KeyPair;
}

/** Every name the lab serves: the zone, its hosts, each scenario domain and its subdomains. */
export function certNames(): string[] {
  const names = new Set<string>([`*.${LAB_ZONE}`, LAB_ZONE, ...Object.keys(HOSTS)]);
  for (const d of Object.keys(DOMAINS)) {
    names.add(d);
    names.add(`*.${d}`);
  }
  return [...names];
}

export async function makeCerts(dir: string): Promise<LabCerts> {
  const out = join(dir, 'certs');
  await mkdir(out, { recursive: true, mode: 0o755 });
  const script = fileURLToPath(new URL('./make-certs.py', import.meta.url));
  const ips = [ADDR.main, ADDR.expiredCert, ADDR.expiringCert];
  try {
    await run('python3', [script, out, certNames().join(','), ips.join(',')]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`lab: making certificates failed (needs python3 with the "cryptography" package): ${e.stderr || e.message}`);
  }
  return {
    ca: join(out, 'ca.pem'),
    main: { cert: join(out, 'leaf.pem'), key: join(out, 'leaf-key.pem') },
    expired: { cert: join(out, 'expired.pem'), key: join(out, 'expired-key.pem') },
    expiring: { cert: join(out, 'expiring.pem'), key: join(out, 'expiring-key.pem') },
  };
}
