// Builds the I/O a run needs from the configuration: the same code path for the lab and production.
import type { Config } from '../config/index.js';
import type { CheckDeps } from '../diagnostics/deps.js';
import { createNet } from '../net/index.js';
import { CONNECTIONS_PER_ORIGIN } from '../net/http-agent.js';
import { createProvider } from '../providers/index.js';
import { createBootstrapCache } from './rdap-bootstrap.js';
import { createLoopLagMonitor } from './loop-lag.js';

export function buildCheckDeps(config: Config): CheckDeps {
  const net = createNet({
    dnsServers: config.DNS_SERVERS,
    dnsTimeoutMs: config.DNS_TIMEOUT_MS,
    dnsMaxConcurrent: config.DNS_MAX_CONCURRENT,
    dnsCache: { maxEntries: Math.max(1, config.DNS_CACHE_MAX_ENTRIES), maxTtlSeconds: config.DNS_CACHE_MAX_ENTRIES ? config.DNS_CACHE_MAX_TTL_SECONDS : 0 },
    policy: { allowlist: config.CHECK_EGRESS_ALLOWLIST },
    // Each check's own deadline aborts its requests; this only bounds a single stuck exchange.
    ioTimeoutMs: config.CHECK_TIMEOUT_MS ?? 20_000,
    // A safety net behind the worker's pacing, never tighter than what paced runs need (two
    // connections per active run); with pacing off (0) a cap would only queue a burst in our pool.
    httpConnectionsPerOrigin: config.WORKER_ACTIVE_MAX ? Math.max(CONNECTIONS_PER_ORIGIN, 2 * config.WORKER_ACTIVE_MAX) : 0,
  });
  return {
    net,
    rdapBootstrap: createBootstrapCache(net.http),
    provider: createProvider(config, net.http.dispatcher),
    now: () => Date.now(),
    // Tells a timeout under our own overload from the customer's fault (run/overload.ts).
    loopLag: createLoopLagMonitor(),
    settings: {
      mxPort: config.MX_PORT,
      heloName: config.HELO_NAME,
      testMailFrom: config.TEST_MAIL_FROM,
      receiveTimeoutMs: config.RECEIVE_TIMEOUT_MS,
      mailDelayedAfterMs: config.MAIL_DELAYED_AFTER_MS,
      domainExpiringDays: config.DOMAIN_EXPIRING_DAYS,
      tlsExpiringDays: config.TLS_EXPIRING_DAYS,
      dnsblZones: config.DNSBL_ZONES,
      rdapBaseUrl: config.RDAP_BASE_URL,
      rdapBootstrapFile: config.RDAP_BOOTSTRAP_FILE,
      rdapBootstrapUrl: config.RDAP_BOOTSTRAP_URL,
      egressAddresses: config.EGRESS_ADDRESSES,
    },
  };
}
