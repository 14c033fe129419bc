// Dovecot from Debian's packages with a throwaway config: IMAPS (valid cert on .1, expired on .3,
// expiring in 5 days on .4),
// passwd-file users from scenarios.ts, a deny passdb for refused logins, LMTP + Sieve for delivery,
// and an auth socket that Postfix uses for SASL (so both protocols log failures in one place).
import { access, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startChild } from './child.js';
import type { LabCerts } from './certs.js';
import { probeTcp, waitUntil } from './readiness.js';
import { BULK_MAILBOXES } from './bulk.js';
import { ADDR, MAILBOXES, PORTS } from './scenarios.js';

/** Debian's `mail` user owns the mailboxes (Dovecot will not run mail processes as root). */
const MAIL_UID = 8;
const MAIL_GID = 8;

export interface DovecotPaths {
  conf: string;
  log: string;
  /** LMTP socket Postfix delivers into. */
  lmtpSocket: string;
  /** Auth socket for Postfix SASL. */
  authSocket: string;
  /** Root of the maildirs: `<mailRoot>/<domain>/<local>/`. */
  mailRoot: string;
}

export function dovecotPaths(dir: string): DovecotPaths {
  return {
    conf: join(dir, 'dovecot', 'dovecot.conf'),
    log: join(dir, 'dovecot.log'),
    lmtpSocket: join(dir, 'dovecot', 'run', 'lmtp-postfix'),
    authSocket: join(dir, 'dovecot', 'run', 'auth-postfix'),
    mailRoot: join(dir, 'mail'),
  };
}

export const homeOf = (mailRoot: string, address: string) => {
  const [local, domain] = address.split('@');
  return join(mailRoot, domain, local);
};

export interface DovecotOptions {
  /**
   * Keep Dovecot's per-IP auth penalty (anvil delays every login from an address after failed
   * logins from it). Off by default: every lab client is 127.0.0.1. Default: LAB_AUTH_PENALTY=1.
   */
  authPenalty?: boolean;
}

function config(dir: string, p: DovecotPaths, certs: LabCerts, o: DovecotOptions = {}): string {
  const d = join(dir, 'dovecot');
  return `# exchange-diagnostics lab — generated, throwaway
protocols = imap lmtp
listen = ${ADDR.main}, ${ADDR.expiredCert}, ${ADDR.expiringCert}
base_dir = ${d}/run
state_dir = ${d}/state
log_path = ${p.log}
info_log_path = ${p.log}
log_timestamp = "%Y-%m-%dT%H:%M:%S "
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = ${MAIL_UID}
mail_uid = ${MAIL_UID}
mail_gid = ${MAIL_GID}
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
ssl = required
ssl_cert = <${certs.main.cert}
ssl_key = <${certs.main.key}
ssl_min_protocol = TLSv1.2
local ${ADDR.expiredCert} {
  ssl_cert = <${certs.expired.cert}
  ssl_key = <${certs.expired.key}
}
local ${ADDR.expiringCert} {
  ssl_cert = <${certs.expiring.cert}
  ssl_key = <${certs.expiring.key}
}
disable_plaintext_auth = yes
auth_mechanisms = plain login
# Failed logins are counted from this log, per user and service.
auth_verbose = yes
auth_failure_delay = 1 secs
login_trusted_networks =

# A passdb that fails internally for the users who have an (unreadable) file under tempfail/:
# Dovecot then answers "NO [UNAVAILABLE] Temporary authentication failure." over IMAP
# (AUTH_UNAVAILABLE); Postfix's SASL turns it into "535 5.7.8 Error: authentication failed: (reason
# unavailable)". Everyone else has no file there ("missing passwd file"): on to the next passdb.
# (dovecot/core src/auth/auth-request.c: an internal failure is remembered and returned when no
# later passdb logs the user in; src/login-common/client-common-auth.c: code=temp_fail → TEMPFAIL.)
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu ${d}/tempfail/%Lu
}
# Refused accounts (suspended, locked, expired) fail exactly like a wrong password. One deny file
# per service (%s: imap, or smtp for Postfix's SASL): a mailbox whose authentication policy blocks
# legacy IMAP is refused over IMAP only (https://doc.dovecot.org/configuration_manual/authentication/restrict_access/).
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu ${d}/deny.%s
  deny = yes
}
# Passwords per service too: in the imap file, a mailbox restricted to authorised IPs carries the
# allow_nets extra field, so IMAP refuses it from elsewhere like a wrong password while submission
# accepts it (https://doc.dovecot.org/configuration_manual/authentication/allow_nets/).
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu ${d}/passwd.%s
}
userdb {
  driver = passwd-file
  args = username_format=%Lu ${d}/users
}

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}

# Many diagnostics of one mailbox at once (bench, parallel tests) all come from 127.0.0.1.
mail_max_userip_connections = 1000
# Scale (bench/scale.ts): 1,000 diagnostics at once hold up to 2,000 IMAP sessions (the imap check,
# then receive's IDLE), each an imap process that talks to anvil, log and stats, and every Postfix
# smtpd doing SASL holds an auth connection: the defaults (100 processes, 1,000 clients per
# service) refuse sessions long before that.
default_process_limit = 2500
default_client_limit = 6000
service imap-login {
  # High-performance mode: each login process serves (and proxies the TLS of) many sessions.
  service_count = 0
  client_limit = 1000
  process_min_avail = 2
  process_limit = 6
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = ${PORTS.imaps}
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp-postfix {
    mode = 0666
  }
}
${o.authPenalty ? '' : `# Anvil's per-IP auth penalty would slow every later login from 127.0.0.1 (all lab clients) by
# up to 15 s after a few failures; the lockout policy is the provider's business, not Dovecot's.
# (bench/penalty.ts measures it with LAB_AUTH_PENALTY=1.)
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`}service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
protocol imap {
  imap_idle_notify_interval = 30 secs
}
service imap {
  process_limit = 2500
}
protocol lmtp {
  mail_plugins = $mail_plugins sieve
  postmaster_address = postmaster@lab.test
}
lmtp_save_to_detail_mailbox = no
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
}
`;
}

/**
 * Every IMAP session in IDLE takes an inotify instance of the mail user (all lab mailboxes are
 * uid 8); past the kernel's 128 Dovecot logs a warning per session and polls every second instead.
 * Best effort: raised machine-wide when allowed, left alone otherwise.
 */
async function raiseInotifyInstances(min = 8192): Promise<void> {
  const path = '/proc/sys/fs/inotify/max_user_instances';
  const now = Number(await readFile(path, 'utf8').catch(() => 'NaN'));
  if (Number.isFinite(now) && now < min) await writeFile(path, String(min)).catch(() => undefined);
}

export async function startDovecot(dir: string, certs: LabCerts, opts: DovecotOptions = {}): Promise<{ paths: DovecotPaths; stop(): Promise<void> }> {
  const p = dovecotPaths(dir);
  await raiseInotifyInstances();
  const d = join(dir, 'dovecot');
  await mkdir(join(d, 'run'), { recursive: true, mode: 0o755 });
  await mkdir(join(d, 'state'), { recursive: true, mode: 0o755 });
  await mkdir(p.mailRoot, { recursive: true, mode: 0o755 });
  const users: string[] = [];
  const deny: string[] = [];
  const all = [...MAILBOXES, ...BULK_MAILBOXES];
  // Domain dirs belong to the mail user, so Dovecot creates the bulk mailboxes' homes on first
  // use: a thousand mkdir + chown would add ~0.5 s to every lab start.
  for (const domainDir of new Set(all.map((m) => join(homeOf(p.mailRoot, m.address), '..')))) {
    await mkdir(domainDir, { recursive: true });
    await chown(domainDir, MAIL_UID, MAIL_GID);
  }
  for (const m of MAILBOXES) {
    const home = homeOf(p.mailRoot, m.address);
    await mkdir(home, { recursive: true });
    await chown(home, MAIL_UID, MAIL_GID);
  }
  for (const m of all) {
    const home = homeOf(p.mailRoot, m.address);
    // Extra fields (after the shell): `nologin` makes Dovecot check the password, then refuse the
    // login with "NO [CONTACTADMIN] Login disabled for this user" (dovecot/core
    // src/login-common/client-common-auth.c: nologin → CLIENT_AUTH_FAIL_CODE_LOGIN_DISABLED;
    // src/imap-login/client-authenticate.c: LOGIN_DISABLED → IMAP_RESP_CODE_CONTACTADMIN).
    // An authTempFail user is not in the users file: only the failing passdb knows it.
    if (!m.authTempFail) {
      users.push(`${m.address.toLowerCase()}:{PLAIN}${m.password}:${MAIL_UID}:${MAIL_GID}::${home}::${m.loginDisabled ? 'nologin' : ''}`);
    }
    if (m.denyLogin) deny.push(`${m.address.toLowerCase()}:`);
    if (m.fileIntoJunk) {
      const sieve = join(home, '.dovecot.sieve');
      await writeFile(sieve, 'require ["fileinto", "mailbox"];\nfileinto :create "Junk";\nstop;\n');
      await chown(sieve, MAIL_UID, MAIL_GID);
    }
  }
  // The auth process (user dovecot) reads these: throwaway lab passwords that scenarios.ts holds anyway.
  await writeFile(join(d, 'users'), `${users.join('\n')}\n`, { mode: 0o644 });
  await writeFile(join(d, 'deny'), `${deny.join('\n')}\n`, { mode: 0o644 });
  // The passdbs read per service (%s): imap, smtp (Postfix SASL); the others for any other lookup.
  // IMAP refuses the legacy-IMAP-blocked mailboxes (refuseLegacyAuth) and, outside allow_nets, the
  // IP-restricted ones (allowNets.imap); submission accepts both.
  const imapNets = new Map(MAILBOXES.filter((m) => m.allowNets?.imap?.length).map((m) => [m.address.toLowerCase(), m.allowNets!.imap!.join(',')]));
  const imapUsers = users.map((l) => {
    const nets = imapNets.get(l.slice(0, l.indexOf(':')));
    return nets ? `${l}${l.endsWith('::') ? '' : ' '}allow_nets=${nets}` : l;
  });
  const denyImap = MAILBOXES.filter((m) => m.refuseLegacyAuth?.includes('imap')).map((m) => `${m.address.toLowerCase()}:`);
  for (const service of ['imap', 'smtp', 'lmtp', 'pop3', 'submission']) {
    await writeFile(join(d, `passwd.${service}`), `${(service === 'imap' ? imapUsers : users).join('\n')}\n`, { mode: 0o644 });
    await writeFile(join(d, `deny.${service}`), `${[...deny, ...(service === 'imap' ? denyImap : [])].join('\n')}\n`, { mode: 0o644 });
  }
  // Files the auth process (user dovecot) may not read: its passwd-file lookup fails (EACCES).
  await mkdir(join(d, 'tempfail'), { recursive: true, mode: 0o755 });
  for (const m of MAILBOXES.filter((x) => x.authTempFail)) {
    await writeFile(join(d, 'tempfail', m.address.toLowerCase()), '', { mode: 0o000 });
  }
  await writeFile(p.conf, config(dir, p, certs, { authPenalty: opts.authPenalty ?? process.env.LAB_AUTH_PENALTY === '1' }));
  const child = startChild('dovecot', ['-F', '-c', p.conf], p.log);
  try {
    for (const host of [ADDR.main, ADDR.expiredCert, ADDR.expiringCert]) {
      await waitUntil(`dovecot imaps on ${host}:${PORTS.imaps}`, () => probeTcp(host, PORTS.imaps), { logFile: p.log, exited: child.exited });
    }
    for (const sock of [p.lmtpSocket, p.authSocket]) {
      await waitUntil(`dovecot socket ${sock}`, () => access(sock).then(() => true), { logFile: p.log, exited: child.exited });
    }
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { paths: p, stop: () => child.stop() };
}
