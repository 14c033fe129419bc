// Builds the I/O a run needs from the configuration: the same code path for the lab and production.
import { Agent } from 'undici';
import type { Config } from '../config/index.js';
import { createProvider } from '../providers/index.js';
import type { CheckDeps } from './deps.js';
import { createDnsClient } from './dns.js';
import { createBootstrapCache } from '../checks/http/rdap-bootstrap.js';

export function buildCheckDeps(config: Config): CheckDeps {
  const dns = createDnsClient({ servers: config.DNS_SERVERS, timeoutMs: config.DNS_TIMEOUT_MS });
  // Each check's own deadline aborts its requests; these only bound a single stuck exchange.
  const ioTimeout = config.CHECK_TIMEOUT_MS ?? 20_000;
  const http = new Agent({
    connect: { lookup: dns.lookup, timeout: ioTimeout },
    headersTimeout: ioTimeout,
    bodyTimeout: ioTimeout,
  });
  return {
    rdapBootstrap: createBootstrapCache(http),
    dns,
    http,
    provider: createProvider(config, http),
    now: () => Date.now(),
    settings: {
      mxPort: config.MX_PORT,
      heloName: config.HELO_NAME,
      testMailFrom: config.TEST_MAIL_FROM,
      receiveTimeoutMs: config.RECEIVE_TIMEOUT_MS,
      mailDelayedAfterMs: config.MAIL_DELAYED_AFTER_MS,
      domainExpiringDays: config.DOMAIN_EXPIRING_DAYS,
      rdapBaseUrl: config.RDAP_BASE_URL,
      rdapBootstrapFile: config.RDAP_BOOTSTRAP_FILE,
      rdapBootstrapUrl: config.RDAP_BOOTSTRAP_URL,
    },
  };
}
