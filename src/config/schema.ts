// The one schema of the process environment. Defaults live next to each field.
import { isIP } from 'node:net';
import { z } from 'zod';

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);
const bool = (def: boolean) =>
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).default(def ? 'true' : 'false').transform((v) => ['true', '1', 'yes'].includes(v));
function isDnsServer(s: string): boolean {
  const v6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (v6) return isIP(v6[1]) === 6 && (!v6[2] || Number(v6[2]) <= 65535);
  if (isIP(s)) return true;
  const m = /^([^:]+):(\d{1,5})$/.exec(s);
  return !!m && isIP(m[1]) === 4 && Number(m[2]) <= 65535;
}
const urlPath = (u: string) => {
  try { return new URL(u).pathname; } catch { return ''; }
};
function isOtlpEndpoint(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname && !u.username && !u.password && !u.search && !u.hash;
  } catch {
    return false;
  }
}
const list = z.string().default('').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const envSchema = z.object({
  /** pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** API listen address and port. */
  HOST: z.string().default('0.0.0.0'),
  PORT: int(8080, 0, 65535),
  /** Redis: redis:// or rediss:// URL (password, db and TLS come from it, also under Sentinel). */
  REDIS_URL: z.string().url().refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  /** Redis Sentinel: `host:port` of the sentinels, comma separated; the master is found by name (REDIS_URL's host is then ignored). */
  REDIS_SENTINELS: list.refine((l) => l.every((x) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(x)), 'each entry must be host:port'),
  /** Name of the master the sentinels watch. */
  REDIS_SENTINEL_NAME: z.string().default('mymaster'),
  /** Redis Cluster: `host:port` of some of its nodes, comma separated (the rest is discovered); REDIS_URL then gives only the password, user and TLS. */
  REDIS_CLUSTER_NODES: list.refine((l) => l.every((x) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(x)), 'each entry must be host:port'),
  /**
   * Prefix of every Redis key and queue of this deployment (tests use a unique one each). It may
   * hold a hash tag (`{exdiag}`); under REDIS_CLUSTER_NODES one without is wrapped in braces, so
   * that every key and queue of the deployment lands in one slot (scripts and MULTI need that).
   */
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*(\{[A-Za-z0-9:_-]+\})?[A-Za-z0-9:_-]*$/, 'letters, digits, ":", "_", "-", and at most one {hash tag}').min(1).default('exdiag'),
  /** API clients: `clientId:apiKey` pairs, comma separated. Keys are kept only as SHA-256 digests. */
  API_KEYS: list,
  /** Optional JSON file with per-client settings (keys, webhook, policy and limits; see config/clients.ts). */
  CLIENTS_FILE: z.string().optional(),
  /** Bearer token that GET /metrics requires; unset = open. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** 32-byte key, base64, that seals passwords (AES-256-GCM) before they reach Redis. */
  /** Required by the API and the worker; the in-process CLI does not need it. */
  SEAL_KEY: z.string().refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes encoded in base64 (openssl rand -base64 32)').optional(),
  /** The SEAL_KEY being rotated out: still opens what it sealed (never seals). Unset once the queue holds nothing older than the new key. */
  SEAL_KEY_PREVIOUS: z.string().refine((s) => Buffer.from(s, 'base64').length === 32, 'must be 32 bytes encoded in base64').optional(),
  /** DNS servers used by every check (`ip` or `ip:port`, comma separated); empty = system resolvers. */
  DNS_SERVERS: list.refine((l) => l.every(isDnsServer), 'each entry must be an IP address, optionally with :port ([v6]:port for IPv6)'),
  /** Hosts, IPs or CIDRs that the checks may connect to although not public (private mail platforms, the lab); everything else non-public is refused. */
  CHECK_EGRESS_ALLOWLIST: list,
  /**
   * The addresses this deployment's traffic to mail platforms leaves from (its public / NAT
   * addresses, IPv4 or IPv6), comma separated; empty = unknown. Checked against a provider's
   * authorised IPs before a password is sent (IP_NOT_AUTHORIZED).
   */
  EGRESS_ADDRESSES: list.refine((l) => l.every((x) => isIP(x) !== 0), 'each entry must be one IPv4 or IPv6 address (no CIDR, no host name): the public addresses the checks\' traffic leaves from, e.g. 203.0.113.7,2001:db8::7'),
  /** DNS query timeout per try, ms. */
  DNS_TIMEOUT_MS: int(3000, 100),
  /** DNS questions on the wire at once per process; the rest queue (a burst must not time out on our side). */
  DNS_MAX_CONCURRENT: int(64, 1, 10000),
  /** DNS answers cached per process (least recently used go first); 0 turns the cache off. */
  DNS_CACHE_MAX_ENTRIES: int(10000, 0, 1000000),
  /** Longest a DNS answer is cached, seconds, whatever its TTL (answers are never kept beyond their TTL). */
  DNS_CACHE_MAX_TTL_SECONDS: int(300, 0, 86400),
  /** YAML/JSON file of platform profiles merged over the built-in defaults. */
  PLATFORMS_FILE: z.string().optional(),
  /** Profile used when a request names none. */
  DEFAULT_PLATFORM: z.string().default('hosted-eu'),
  /** TCP port used to deliver the inbound test mail to the domain's MX (25 on the internet). */
  MX_PORT: int(25, 1, 65535),
  /** EHLO name and envelope sender of the inbound test mail. */
  HELO_NAME: z.string().default('diagnostics.invalid'),
  TEST_MAIL_FROM: z.string().email().default('postmaster@diagnostics.invalid'),
  /** Overrides every check's own timeout (receive excepted: see RECEIVE_TIMEOUT_MS), ms; unset = each check's default (10–30 s). */
  CHECK_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  /** How long the receive check waits for the test message, ms. */
  RECEIVE_TIMEOUT_MS: int(60000, 100),
  /** A message that arrives later than this is MAIL_DELAYED (warn), ms. */
  MAIL_DELAYED_AFTER_MS: int(15000, 1),
  /** Deadline of a whole diagnostic, ms. */
  DIAGNOSTIC_DEADLINE_MS: int(120000, 1000),
  /** Diagnostics run at once by one worker process (the work is I/O). */
  WORKER_CONCURRENCY: int(50, 1, 1000),
  /**
   * Runs of one worker process in their active part at once (every check before the receive check
   * waits for mail); the others of WORKER_CONCURRENCY wait for a slot, outside their deadline. 0: no limit.
   */
  WORKER_ACTIVE_MAX: int(24, 0, 1000),
  /** A worker's lock on a running diagnostic, ms: a worker that dies (SIGKILL) loses it after this long and the run is retried elsewhere. */
  WORKER_LOCK_MS: int(30000, 1000),
  /** How often workers look for diagnostics whose worker died, ms. */
  WORKER_STALLED_INTERVAL_MS: int(15000, 500),
  /** How many times a diagnostic whose worker died is retried before it ends failed. */
  WORKER_MAX_STALLED: int(2, 0, 100),
  /** On SIGTERM, how long running diagnostics may finish before they are handed back to the queue, ms. */
  WORKER_SHUTDOWN_GRACE_MS: int(20000, 0),
  /** Worker processes serve /livez, /readyz and /metrics on this port (HOST); 0 disables it. */
  WORKER_HTTP_PORT: int(9090, 0, 65535),
  /** How long finished diagnostics are kept, seconds. */
  RESULT_TTL_SECONDS: int(7 * 24 * 3600, 60),
  /** Throttle: at most THROTTLE_MAX diagnostics of one account by one client per THROTTLE_WINDOW_SECONDS, else 429 (0 disables). */
  THROTTLE_MAX: int(5, 0),
  THROTTLE_WINDOW_SECONDS: int(600, 1),
  /** Lockout budget: diagnostics of one account started per window, all clients together; more wait queued (0 disables; unset = THROTTLE_MAX). */
  THROTTLE_ACCOUNT_MAX: z.coerce.number().int().min(0).optional(),
  /** Default per-client rate of POST /v1/diagnostics (CLIENTS_FILE `rateLimit` wins): requests per window (0 = unlimited). */
  CLIENT_RATE_LIMIT_MAX: int(120, 0),
  CLIENT_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86400),
  /** Default cap on one client's queued + running diagnostics (CLIENTS_FILE `maxActive` wins; 0 = no cap). */
  CLIENT_MAX_ACTIVE: int(100, 0),
  /** Account-state provider. */
  PROVIDER: z.enum(['none', 'ovhcloud', 'http']).default('none'),
  /** OVHcloud API: endpoint name (ovh-eu, ovh-ca, …) or a base URL such as https://eu.api.ovh.com/1.0 */
  OVH_ENDPOINT: z.string().default('ovh-eu'),
  OVH_APP_KEY: z.string().optional(),
  OVH_APP_SECRET: z.string().optional(),
  OVH_CONSUMER_KEY: z.string().optional(),
  /** Generic HTTP provider: base URL and bearer token. */
  PROVIDER_HTTP_URL: z.string().url().optional(),
  PROVIDER_HTTP_TOKEN: z.string().optional(),
  /** RDAP server used for every domain (wins over the bootstrap registry when set). */
  RDAP_BASE_URL: z.string().url().optional(),
  /** IANA bootstrap registry (RFC 9224 dns.json) as a local file, for deployments without egress to IANA. */
  RDAP_BOOTSTRAP_FILE: z.string().optional(),
  /** IANA bootstrap registry URL, fetched when needed and cached for a day. */
  RDAP_BOOTSTRAP_URL: z.string().url().default('https://data.iana.org/rdap/dns.json'),
  /** DOMAIN_EXPIRING is reported this many days before expiry. */
  DOMAIN_EXPIRING_DAYS: int(30, 0),
  /**
   * DNS blocklist zones the platform's outbound addresses are looked up in (RFC 5782), comma
   * separated; empty = none. Some zones refuse queries from public resolvers (Spamhaus answers
   * 127.255.255.254): use DNS_SERVERS that may query them.
   */
  DNSBL_ZONES: z.string().default('zen.spamhaus.org,bl.spamcop.net,b.barracudacentral.org')
    .transform((s) => s.split(',').map((x) => x.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean))
    .refine((l) => l.every((z) => /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(z)), 'each entry must be a DNS zone name'),
  /** TLS_EXPIRING (warn) is reported when a server's certificate (imap, send, webmail, autodiscover) expires within this many days; 0 never warns. */
  TLS_EXPIRING_DAYS: int(14, 0),
  /** Open event streams (SSE) one client may hold on one API process; more answer 429 TOO_MANY_STREAMS (0 = no limit). */
  SSE_MAX_PER_CLIENT: int(20, 0, 100000),
  /** Webhooks. */
  WEBHOOK_ALLOW_HTTP: bool(false),
  /** Hosts, IPs or CIDRs that webhooks may reach even though they are not public. */
  WEBHOOK_ALLOWLIST: list,
  /** Retry delays in seconds, comma separated (Standard Webhooks suggests up to ~1 day). */
  WEBHOOK_RETRY_SCHEDULE: z.string().default('5,300,1800,7200,18000,36000,36000')
    .transform((s, ctx) => {
      const v = s.split(',').map((x) => Number(x.trim()));
      if (v.some((n) => !Number.isFinite(n) || n < 0)) ctx.addIssue({ code: 'custom', message: 'must be comma-separated seconds' });
      return v;
    }),
  WEBHOOK_TIMEOUT_MS: int(10000, 100),
  /** Run the webhook delivery worker in the worker process. */
  WEBHOOK_WORKER: bool(true),
  /** OpenTelemetry tracing: OTLP/HTTP base URL of a collector (`/v1/traces` is appended); unset or empty = tracing off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional().transform((s) => s?.trim() || undefined)
    .refine((s) => s === undefined || isOtlpEndpoint(s), 'must be an http:// or https:// URL without credentials, query or fragment (auth headers go in OTEL_EXPORTER_OTLP_HEADERS)'),
  /** service.name of the exported spans. */
  OTEL_SERVICE_NAME: z.string().min(1).default('exchange-diagnostics'),
}).superRefine((e, ctx) => {
  if (e.PROVIDER === 'ovhcloud') {
    for (const k of ['OVH_APP_KEY', 'OVH_APP_SECRET', 'OVH_CONSUMER_KEY'] as const) {
      if (!e[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'required when PROVIDER=ovhcloud' });
    }
  }
  if (e.PROVIDER === 'http' && !e.PROVIDER_HTTP_URL) {
    ctx.addIssue({ code: 'custom', path: ['PROVIDER_HTTP_URL'], message: 'required when PROVIDER=http' });
  }
  if (e.REDIS_CLUSTER_NODES.length && e.REDIS_SENTINELS.length) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_CLUSTER_NODES'], message: 'cannot be set together with REDIS_SENTINELS: choose Redis Cluster or Sentinel (or neither for one Redis at REDIS_URL)' });
  }
  if (e.REDIS_CLUSTER_NODES.length && !['', '/', '/0'].includes(urlPath(e.REDIS_URL))) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_URL'], message: 'under REDIS_CLUSTER_NODES it may name no database but 0 (Redis Cluster has only one)' });
  }
  for (const pair of e.API_KEYS) {
    if (!/^[A-Za-z0-9_.-]+:.{16,}$/.test(pair)) {
      ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: 'each entry must be clientId:key with a key of at least 16 characters' });
    }
  }
}).transform((e) => ({ ...e, REDIS_PREFIX: e.REDIS_CLUSTER_NODES.length ? hashTagged(e.REDIS_PREFIX) : e.REDIS_PREFIX }));

/** The prefix itself when it holds a hash tag, else the whole prefix as the tag: `exdiag` → `{exdiag}`. */
export function hashTagged(prefix: string): string {
  return /\{[^}]+\}/.test(prefix) ? prefix : `{${prefix}}`;
}

export type Env = z.output<typeof envSchema>;
