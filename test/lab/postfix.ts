// Postfix from Debian's packages with its own config dir: the public MX with STARTTLS (virtual domains
// delivered over LMTP into Dovecot, discard, reject and greylist faults; an expired certificate on
// 127.0.0.3) and authenticated submission (STARTTLS +
// SASL through Dovecot, a 5.7.1 block for spam senders, expired certificate on 127.0.0.3, one that
// expires in 5 days on 127.0.0.4).
import { execFile } from 'node:child_process';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processAlive } from './child.js';
import type { LabCerts } from './certs.js';
import type { DovecotPaths } from './dovecot.js';
import { logTail, probeTcp, waitUntil } from './readiness.js';
import { BULK_MAILBOXES } from './bulk.js';
import { ADDR, DOMAINS, LAB_ZONE, MAILBOXES, PORTS } from './scenarios.js';

const run = promisify(execFile);

/** Temp dirs of labs start with this; stale entries of ours in /etc/postfix/main.cf are pruned. */
export const LAB_DIR_PREFIX = 'exdiag-lab-';

/** The reply spam-blocked senders get at submission (RCPT stage, as smtpd_delay_reject does). */
export const SPAM_BLOCK_REPLY = '554 5.7.1 Sending refused: this account is blocked for sending spam. Contact your provider\'s support';

/** The reply the MX gives to inbound mail for `rejectInbound` mailboxes (RCPT stage). */
export const INBOUND_REJECT_REPLY = '550 5.7.1 Inbound mail refused for this mailbox by the recipient policy (lab fault)';

export interface PostfixOptions {
  dir: string;
  certs: LabCerts;
  dovecot: DovecotPaths;
  greylistPort: number;
}

function mainCf(o: PostfixOptions, conf: string): string {
  const { certs, dovecot } = o;
  return `# exchange-diagnostics lab — generated, throwaway
compatibility_level = 3.6
queue_directory = ${join(o.dir, 'postfix', 'queue')}
data_directory = ${join(o.dir, 'postfix', 'data')}
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${join(o.dir, 'postfix.log')}
maillog_file_prefixes = ${o.dir}
myhostname = mx1.${LAB_ZONE}
mydomain = ${LAB_ZONE}
myorigin = $mydomain
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = ${ADDR.main}, ${ADDR.expiredCert}, ${ADDR.expiringCert}
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
biff = no
append_dot_mydomain = no
readme_directory = no
smtpd_banner = $myhostname ESMTP lab
notify_classes =
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 10s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
smtpd_error_sleep_time = 0
disable_vrfy_command = yes
# Concurrent diagnostics (bench) all connect from 127.0.0.1, which $mynetworks exempts from anvil limits.
# Scale (bench/scale.ts): 1,000 diagnostics at once open their submission and MX sessions in the
# same second; a connection that finds no free smtpd waits in the listen queue, and one that finds
# the queue full waits for a SYN retransmit (1 s, 3 s, …). Process limit and backlog fit the burst,
# and nothing throttles our own arrivals (in_flow_delay) or the hand-off to Dovecot's LMTP.
default_process_limit = 1200
inet_listen_backlog = 2048
in_flow_delay = 0
lmtp_destination_concurrency_limit = 50

# Mailboxes: unknown users get 550 5.1.1; delivery over LMTP into Dovecot (Sieve runs there).
virtual_mailbox_domains = ${Object.keys(DOMAINS).join(', ')}
virtual_mailbox_maps = texthash:${join(conf, 'vmailbox')}
virtual_transport = lmtp:unix:${dovecot.lmtpSocket}
# Nothing ever leaves the machine.
default_transport = discard:no_egress_from_lab
relay_transport = discard:no_egress_from_lab
smtp_tls_security_level = none
lmtp_tls_security_level = none

smtpd_tls_cert_file = ${certs.main.cert}
smtpd_tls_key_file = ${certs.main.key}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${dovecot.authSocket}
smtpd_sasl_auth_enable = no

# MX: what the internet meets.
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unlisted_recipient, check_recipient_access texthash:${join(conf, 'probe-verdict')}, check_recipient_access texthash:${join(conf, 'reject-inbound')}, check_recipient_access texthash:${join(conf, 'discard')}, check_policy_service inet:127.0.0.1:${o.greylistPort}

# Submission (referenced from master.cf).
lab_submission_sender = check_sasl_access texthash:${join(conf, 'sasl-access')}, check_sender_access texthash:${join(conf, 'sent-verdict')}
lab_submission_relay = permit_sasl_authenticated, reject
`;
}

function masterCf(o: PostfixOptions): string {
  const services = [
    'postlog   unix-dgram n  -       n       -       1       postlogd',
    'pickup    unix  n       -       n       60      1       pickup',
    'cleanup   unix  n       -       n       -       0       cleanup',
    'qmgr      unix  n       -       n       300     1       qmgr',
    'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
    'rewrite   unix  -       -       n       -       -       trivial-rewrite',
    'bounce    unix  -       -       n       -       0       bounce',
    'defer     unix  -       -       n       -       0       bounce',
    'trace     unix  -       -       n       -       0       bounce',
    'verify    unix  -       -       n       -       1       verify',
    'flush     unix  n       -       n       1000?   0       flush',
    'proxymap  unix  -       -       n       -       -       proxymap',
    'proxywrite unix -       -       n       -       1       proxymap',
    'smtp      unix  -       -       n       -       -       smtp',
    'relay     unix  -       -       n       -       -       smtp',
    'showq     unix  n       -       n       -       -       showq',
    'error     unix  -       -       n       -       -       error',
    'retry     unix  -       -       n       -       -       error',
    'discard   unix  -       -       n       -       -       discard',
    'lmtp      unix  -       -       n       -       -       lmtp',
    'anvil     unix  -       -       n       -       1       anvil',
    'scache    unix  -       -       n       -       1       scache',
    // MX listeners offer STARTTLS (smtpd_tls_security_level = may above); the one on 127.0.0.3
    // (mx-expired.lab.test) presents the expired certificate (MX_TLS_INVALID, MTA_STS_BLOCKS_MAIL).
    `${ADDR.main}:${PORTS.mx} inet n - n - - smtpd`,
    '  -o syslog_name=postfix/mx',
    `${ADDR.expiredCert}:${PORTS.mx} inet n - n - - smtpd`,
    '  -o syslog_name=postfix/mx',
    `  -o smtpd_tls_cert_file=${o.certs.expired.cert}`,
    `  -o smtpd_tls_key_file=${o.certs.expired.key}`,
  ];
  const submission = (addr: string, certs?: { cert: string; key: string }) => [
    `${addr}:${PORTS.submission} inet n - n - - smtpd`,
    `  -o syslog_name=postfix/submission`,
    '  -o smtpd_tls_security_level=encrypt',
    '  -o smtpd_sasl_auth_enable=yes',
    '  -o smtpd_client_restrictions=',
    '  -o smtpd_helo_restrictions=',
    '  -o smtpd_sender_restrictions=$lab_submission_sender',
    '  -o smtpd_relay_restrictions=$lab_submission_relay',
    '  -o smtpd_recipient_restrictions=',
    ...(certs ? [`  -o smtpd_tls_cert_file=${certs.cert}`, `  -o smtpd_tls_key_file=${certs.key}`] : []),
  ];
  services.push(...submission(ADDR.main), ...submission(ADDR.expiredCert, o.certs.expired), ...submission(ADDR.expiringCert, o.certs.expiring));
  return `# exchange-diagnostics lab — generated, throwaway\n${services.join('\n')}\n`;
}

/** `postfix -c <dir>` only accepts directories listed in the default main.cf. */
async function allowConfigDir(conf: string): Promise<void> {
  const { stdout } = await run('postconf', ['-h', 'alternate_config_directories']);
  const dirs = stdout.split(/[\s,]+/).filter(Boolean)
    .filter((d) => !(d.includes(`/${LAB_DIR_PREFIX}`) && !existsSync(d)));
  if (!dirs.includes(conf)) dirs.push(conf);
  if (dirs.join(' ') !== stdout.trim()) await run('postconf', ['-e', `alternate_config_directories = ${dirs.join(' ')}`]);
}

export async function forgetConfigDir(conf: string): Promise<void> {
  const { stdout } = await run('postconf', ['-h', 'alternate_config_directories']);
  const dirs = stdout.split(/[\s,]+/).filter(Boolean).filter((d) => d !== conf);
  if (dirs.join(' ') !== stdout.trim()) await run('postconf', ['-e', `alternate_config_directories = ${dirs.join(' ')}`]);
}

/** `ip addr add` for the expired- and expiring-certificate addresses, so Postfix may bind them; idempotent. */
export async function ensureLoopbackAddress(addr: string): Promise<void> {
  const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']);
  if (stdout.includes(` ${addr}/`)) return;
  try {
    await run('ip', ['addr', 'add', `${addr}/32`, 'dev', 'lo']);
  } catch (err) {
    throw new Error(`lab: cannot add ${addr} to lo (needs root and iproute2): ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
}

export async function startPostfix(o: PostfixOptions): Promise<{ stop(): Promise<void> }> {
  const conf = join(o.dir, 'postfix', 'conf');
  const log = join(o.dir, 'postfix.log');
  await mkdir(conf, { recursive: true, mode: 0o755 });
  await mkdir(join(o.dir, 'postfix', 'queue'), { recursive: true, mode: 0o755 });
  const data = join(o.dir, 'postfix', 'data');
  await mkdir(data, { recursive: true, mode: 0o700 });
  const { stdout: uid } = await run('id', ['-u', 'postfix']);
  const { stdout: gid } = await run('id', ['-g', 'postfix']);
  await chown(data, Number(uid), Number(gid));
  await writeFile(join(conf, 'main.cf'), mainCf(o, conf));
  await writeFile(join(conf, 'master.cf'), masterCf(o));
  await writeFile(join(conf, 'vmailbox'), [...MAILBOXES, ...BULK_MAILBOXES].map((m) => `${m.address.toLowerCase()} ${m.address.split('@')[1]}/${m.address.split('@')[0]}/`).join('\n') + '\n');
  await writeFile(join(conf, 'discard'), Object.entries(DOMAINS).filter(([, d]) => d.discardInbound)
    .map(([name]) => `${name} DISCARD inbound mail for this domain is dropped (lab fault)`).join('\n') + '\n');
  // Only the MX listener reads this map: submission overrides smtpd_recipient_restrictions.
  await writeFile(join(conf, 'reject-inbound'), MAILBOXES.filter((m) => m.rejectInbound)
    .map((m) => `${m.address.toLowerCase()} ${INBOUND_REJECT_REPLY}`).join('\n') + '\n');
  // How the lab platform judges mail (PREPEND adds the header and evaluation goes on): what a mailbox submits, what reaches it.
  await writeFile(join(conf, 'sent-verdict'), MAILBOXES.filter((m) => m.platformVerdict?.sent)
    .map((m) => `${m.address.toLowerCase()} PREPEND ${m.platformVerdict!.sent}`).join('\n') + '\n');
  await writeFile(join(conf, 'probe-verdict'), MAILBOXES.filter((m) => m.platformVerdict?.probe)
    .map((m) => `${m.address.toLowerCase()} PREPEND ${m.platformVerdict!.probe}`).join('\n') + '\n');
  await writeFile(join(conf, 'sasl-access'), MAILBOXES.filter((m) => m.rejectSender)
    .map((m) => `${m.address.toLowerCase()} ${SPAM_BLOCK_REPLY}`).join('\n') + '\n');
  await ensureLoopbackAddress(ADDR.expiredCert);
  await ensureLoopbackAddress(ADDR.expiringCert);
  await allowConfigDir(conf);
  try {
    await run('postfix', ['-c', conf, 'start']);
  } catch (err) {
    await forgetConfigDir(conf);
    throw new Error(`lab: postfix start failed: ${(err as { stderr?: string }).stderr ?? ''}\n${await logTail(log)}`);
  }
  const stop = async () => {
    const pidFile = join(o.dir, 'postfix', 'queue', 'pid', 'master.pid');
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    await run('postfix', ['-c', conf, 'stop']).catch(() => undefined);
    if (pid) await waitUntil('postfix to stop', async () => !(await processAlive(pid)), { timeoutMs: 10000 }).catch(() => undefined);
    await forgetConfigDir(conf);
  };
  try {
    for (const [host, port] of [[ADDR.main, PORTS.mx], [ADDR.expiredCert, PORTS.mx], [ADDR.main, PORTS.submission], [ADDR.expiredCert, PORTS.submission], [ADDR.expiringCert, PORTS.submission]] as const) {
      await waitUntil(`postfix on ${host}:${port}`, () => probeTcp(host, port, '220 '), { logFile: log });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
