// Failed logins as the servers themselves recorded them, per user and protocol: the evidence that
// a diagnostic cost at most one failed login per protocol (the lockout-safety promise).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FailedLogins {
  imap: number;
  smtp: number;
  /** Autodiscover, EWS and OWA, from the HTTPS stand-ins' log. */
  http: number;
}

const read = (file: string) => readFile(file, 'utf8').catch(() => '');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Dovecot's auth log names the user on a wrong password; requests from its own IMAP login
 * processes carry a `<session>` id, Postfix's SASL requests do not. Refused (deny passdb) users
 * are logged by imap-login as "user disabled". Postfix logs each failed SASL AUTH with the name.
 */
export function countFailedLogins(address: string, logs: { dovecot: string; postfix: string; standins: string }): FailedLogins {
  const user = esc(address.toLowerCase());
  const imapMismatch = new RegExp(`auth: Info: [\\w-]+\\(${user},[^,)]*,<[^>]+>\\): Password mismatch`, 'i');
  const imapDenied = new RegExp(`imap-login: Info: .*\\(user disabled\\): user=<${user}>`, 'i');
  const smtpFailed = new RegExp(`/smtpd\\[\\d+\\]: warning: .*: SASL \\S+ authentication failed: .*, sasl_username=${user}$`, 'i');
  const count = (text: string, ...res: RegExp[]) => text.split('\n').filter((l) => res.some((r) => r.test(l))).length;
  let http = 0;
  for (const line of logs.standins.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { event?: string; user?: string };
      if (e.event === 'auth_failed' && e.user?.toLowerCase() === address.toLowerCase()) http++;
    } catch {
      // a torn last line while the stand-ins write: ignore
    }
  }
  return {
    imap: count(logs.dovecot, imapMismatch, imapDenied),
    smtp: count(logs.postfix, smtpFailed),
    http,
  };
}

/** Reads the logs of the lab at `labDir` (default LAB_DIR, so any process under with-lab can ask). */
export async function failedLogins(address: string, labDir: string = process.env.LAB_DIR ?? ''): Promise<FailedLogins> {
  if (!labDir) throw new Error('failedLogins: LAB_DIR is not set (not running under the lab)');
  const [dovecot, postfix, standins] = await Promise.all([
    read(join(labDir, 'dovecot.log')), read(join(labDir, 'postfix.log')), read(join(labDir, 'standins.log')),
  ]);
  return countFailedLogins(address, { dovecot, postfix, standins });
}

/** One request an Exchange stand-in received (standins/request-log.ts): never a password. */
export interface StandinRequestEntry {
  scheme: 'http' | 'https';
  host: string;
  method: string;
  path: string;
  /** `none` or the Authorization scheme (`basic`, …). */
  authorization: string;
  user?: string;
  email?: string;
  at: string;
}

/** Requests the stand-ins received for `host` (every one when omitted), oldest first. */
export async function standinRequests(host?: string, labDir: string = process.env.LAB_DIR ?? ''): Promise<StandinRequestEntry[]> {
  if (!labDir) throw new Error('standinRequests: LAB_DIR is not set (not running under the lab)');
  const out: StandinRequestEntry[] = [];
  for (const line of (await read(join(labDir, 'standins', 'requests.log'))).split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as StandinRequestEntry & { event?: string };
      if (e.event === 'request' && (host === undefined || e.host === host.toLowerCase())) out.push(e);
    } catch {
      // a torn last line while the stand-ins write: ignore
    }
  }
  return out;
}
