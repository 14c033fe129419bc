// Starts the lab's HTTPS stand-ins for third-party services (OVHcloud API, generic provider,
// Exchange Autodiscover/EWS/OWA, RDAP, status page, MTA-STS policy hosts), virtual-hosted by name on one port.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { ADDR, DOMAINS, LAB_SERVER, OUTSIDER_HOST, OVH, PORTS, PROVIDER_HTTP_TOKEN } from '../scenarios.js';
import { authLog } from './auth-log.js';
import { exchangeSite } from './exchange-site.js';
import { httpRedirectSite } from './http-redirect.js';
import { mtaStsHosts, mtaStsSite } from './mta-sts.js';
import { readRequest, send, type Site, type SiteContext } from './http-util.js';
import { ovhApiSite } from './ovh-api.js';
import { providerHttpSite } from './provider-http.js';
import { rdapSite } from './rdap.js';
import { requestLog } from './request-log.js';
import { statusPageSite } from './statuspage.js';

export interface StandinsOptions {
  /** Working directory of the stand-ins: `requests.log` (every Exchange request, no secrets) is written here. */
  dir: string;
  caCertPath: string;
  /** PEM file paths of the main certificate (every lab name and 127.0.0.1). */
  cert: { key: string; cert: string };
  /** PEM file paths of the expired certificate served on 127.0.0.3. */
  expiredCert: { key: string; cert: string };
  /** PEM file paths of the certificate that expires in 5 days, served on 127.0.0.4 (absent: no listener there). */
  expiringCert?: { key: string; cert: string };
  /** JSON lines of failed HTTP logins. */
  logFile: string;
  /** Port of both listeners; default 443 (PORTS.https). 0 picks a free one (tests beside a running lab). */
  port?: number;
  /** Port of the plain-http listener (Autodiscover redirect probe); default 80 (PORTS.http), or a free one when `port` is 0. */
  httpPort?: number;
}

export interface Standins {
  stop(): Promise<void>;
  /** Production configuration of the service pointing at the stand-ins. */
  env: Record<string, string>;
  port: number;
}

/** Exchange servers by name; any other name served by the Exchange site answers as LAB_SERVER. */
const EXCHANGE_HOSTS = new Set(['ex.lab.test', 'nobasic.lab.test', 'expired.lab.test', 'expiring-cert.lab.test']);

function router(sites: { ovh: Site; provider: Site; rdap: Site; status: Site; exchange: Site; mtaSts: Site }): (host: string, path: string) => Site | undefined {
  const byHost: Record<string, Site> = {
    'api.lab.test': sites.ovh,
    'provider.lab.test': sites.provider,
    'rdap.lab.test': sites.rdap,
    'status.lab.test': sites.status,
  };
  for (const h of EXCHANGE_HOSTS) byHost[h] = sites.exchange;
  // A mail domain's own names (domain, autodiscover.domain) may point at the server too.
  for (const d of Object.keys(DOMAINS)) byHost[d] = byHost[`autodiscover.${d}`] = sites.exchange;
  // An Exchange look-alike outside every mail domain and the platform (credential boundaries).
  byHost[OUTSIDER_HOST] = sites.exchange;
  // MTA-STS policy hosts (mta-sts.<domain>) of the domains that publish a policy.
  for (const h of mtaStsHosts()) byHost[h] = sites.mtaSts;
  return (host, path) => {
    if (byHost[host]) return byHost[host];
    if (!isIP(host.replace(/^\[|\]$/g, ''))) return undefined;
    // Addressed by IP (no name to go by): the default site routes on the path, whose prefixes do not overlap.
    if (path.startsWith('/1.0/')) return sites.ovh;
    if (path.startsWith('/v1/')) return sites.provider;
    if (path.startsWith('/domain/') || path === '/help') return sites.rdap;
    if (path.startsWith('/api/v2/') || path.startsWith('/incident/api/v2/')) return sites.status;
    return sites.exchange;
  };
}

function listen(server: Server | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // A worker running 1,000 diagnostics opens thousands of connections in one second (bench/scale.ts):
    // Node's default accept queue of 511 overflows, and every dropped SYN costs the client 1–3 s.
    // Idle connections stay open as long as real front ends keep them (IIS 120 s, nginx 75 s), not
    // Node's 5 s, which a busy client races when it reuses one (UND_ERR_SOCKET).
    server.keepAliveTimeout = 60_000;
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

function close(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startStandins(opts: StandinsOptions): Promise<Standins> {
  const [key, cert, expiredKey, expiredCert] = await Promise.all(
    [opts.cert.key, opts.cert.cert, opts.expiredCert.key, opts.expiredCert.cert].map((p) => readFile(p)),
  );
  const log = authLog(opts.logFile);
  const requests = requestLog(join(opts.dir, 'requests.log'));
  const route = router({
    ovh: ovhApiSite({ sslExpirationDate: new Date(new X509Certificate(cert).validTo).toISOString() }),
    provider: providerHttpSite(),
    rdap: rdapSite(),
    status: statusPageSite(),
    exchange: exchangeSite(log, (host) => (EXCHANGE_HOSTS.has(host) ? host : LAB_SERVER), requests),
    mtaSts: mtaStsSite(),
  });
  const redirectProbe = httpRedirectSite();
  let port = opts.port ?? PORTS.https;
  const ctx: SiteContext = {
    get port() { return port; },
    authority: (host) => (port === 443 ? host : `${host}:${port}`),
  };
  const handler = async (raw: IncomingMessage, res: ServerResponse) => {
    try {
      const req = await readRequest(raw);
      const site = route(req.host, req.path);
      // IIS's answer to a name it has no binding for.
      if (!site) return send(res, 400, 'text/html; charset=us-ascii', '<h2>Bad Request - Invalid Hostname</h2><hr><p>HTTP Error 400. The request hostname is invalid.</p>');
      await site(req, res, ctx);
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      // The message is ours (never request content), so it cannot carry a password.
      if (!res.headersSent) send(res, status, 'text/plain', status === 413 ? 'Request Entity Too Large' : 'Internal Server Error');
      else res.destroy();
    }
  };
  const main = createServer({ key, cert }, handler);
  const expired = createServer({ key: expiredKey, cert: expiredCert }, handler);
  const expiring = opts.expiringCert
    ? createServer({ key: await readFile(opts.expiringCert.key), cert: await readFile(opts.expiringCert.cert) }, handler)
    : undefined;
  // Plain http: only the Autodiscover redirect probe, logged like the Exchange requests.
  const plain = createHttpServer(async (raw, res) => {
    try {
      const req = await readRequest(raw);
      await requests.record(req, 'http');
      await redirectProbe(req, res, ctx);
    } catch {
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal Server Error');
      else res.destroy();
    }
  });
  port = await listen(main, port, ADDR.main);
  try {
    await listen(expired, port, ADDR.expiredCert);
    if (expiring) await listen(expiring, port, ADDR.expiringCert);
    await listen(plain, opts.httpPort ?? (opts.port === 0 ? 0 : PORTS.http), ADDR.main);
  } catch (err) {
    await Promise.all([close(main), close(expired), ...(expiring ? [close(expiring)] : []), close(plain)]);
    throw err;
  }
  const base = (host: string) => `https://${ctx.authority(host)}`;
  return {
    port,
    env: {
      PROVIDER: 'ovhcloud',
      OVH_ENDPOINT: `${base('api.lab.test')}/1.0`,
      OVH_APP_KEY: OVH.appKey,
      OVH_APP_SECRET: OVH.appSecret,
      OVH_CONSUMER_KEY: OVH.consumerKey,
      PROVIDER_HTTP_URL: `${base('provider.lab.test')}/v1`,
      PROVIDER_HTTP_TOKEN,
      RDAP_BASE_URL: `${base('rdap.lab.test')}/`,
    },
    async stop() {
      await Promise.all([close(main), close(expired), ...(expiring ? [close(expiring)] : []), close(plain)]);
    },
  };
}
