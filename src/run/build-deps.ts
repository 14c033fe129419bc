// Builds the I/O a run needs from the configuration: the same code path for the lab and production.
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { Config } from '../config/index.js';
import { createProvider } from '../providers/index.js';
import type { CheckDeps } from '../diagnostics/deps.js';
import { createDnsClient } from '../net/dns.js';
import { checkAddress } from '../net/address-policy.js';
import { createBootstrapCache } from '../checks/http/rdap-bootstrap.js';
import { createPeerCertificates } from '../net/peer-certs.js';

export function buildCheckDeps(config: Config): CheckDeps {
  const policy = { allowlist: config.CHECK_EGRESS_ALLOWLIST };
  const dns = createDnsClient({
    servers: config.DNS_SERVERS, timeoutMs: config.DNS_TIMEOUT_MS,
    refuse: (address, host) => { const v = checkAddress(policy, address, host); return v.ok ? undefined : v.reason; },
  });
  // Each check's own deadline aborts its requests; these only bound a single stuck exchange.
  const ioTimeout = config.CHECK_TIMEOUT_MS ?? 20_000;
  // Names go through our resolver (which applies the egress policy); IP literals skip any lookup
  // in net.connect, so they are checked here before connecting.
  const connector = buildConnector({ lookup: dns.lookup, timeout: ioTimeout } as buildConnector.BuildOptions);
  // Recorded from the very connection that carries the request (not a second probe, which could
  // meet another server behind the same name): TLS_EXPIRING judges the certificate clients get.
  const peerCerts = createPeerCertificates();
  const http = new Agent({
    headersTimeout: ioTimeout,
    bodyTimeout: ioTimeout,
    connect: (options, callback) => {
      const host = options.hostname.replace(/^\[|\]$/g, '');
      const v = isIP(host) ? checkAddress(policy, host) : { ok: true as const };
      if (!v.ok) {
        callback(Object.assign(new Error(`connection to ${host} refused by the egress policy: ${v.reason}`), { code: 'EGRESS_FORBIDDEN' }), null);
        return;
      }
      connector(options, (err, socket) => {
        if (!err && socket) peerCerts.record(options, socket);
        callback(err as Error, socket as never);
      });
    },
  });
  return {
    rdapBootstrap: createBootstrapCache(http),
    dns,
    http,
    peerCerts,
    provider: createProvider(config, http),
    now: () => Date.now(),
    settings: {
      mxPort: config.MX_PORT,
      heloName: config.HELO_NAME,
      testMailFrom: config.TEST_MAIL_FROM,
      receiveTimeoutMs: config.RECEIVE_TIMEOUT_MS,
      mailDelayedAfterMs: config.MAIL_DELAYED_AFTER_MS,
      domainExpiringDays: config.DOMAIN_EXPIRING_DAYS,
      tlsExpiringDays: config.TLS_EXPIRING_DAYS,
      rdapBaseUrl: config.RDAP_BASE_URL,
      rdapBootstrapFile: config.RDAP_BOOTSTRAP_FILE,
      rdapBootstrapUrl: config.RDAP_BOOTSTRAP_URL,
    },
  };
}
