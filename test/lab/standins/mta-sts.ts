// MTA-STS policy hosts (RFC 8461 §3.3): https://mta-sts.<domain>/.well-known/mta-sts.txt serves the
// scenario's policy as text/plain over the lab's valid certificate; any other path is a 404, as a
// web server without the file would answer. Domains and policies come from scenarios.ts.
import { DOMAINS } from '../scenarios.js';
import { send, type Site } from './http-util.js';

export const MTA_STS_PATH = '/.well-known/mta-sts.txt';

/** The policy host names the lab serves (`mta-sts.<domain>` of every domain with a policy). */
export const mtaStsHosts = (): string[] => Object.entries(DOMAINS).filter(([, d]) => d.mtaSts).map(([name]) => `mta-sts.${name}`);

export function mtaStsSite(): Site {
  return (req, res) => {
    const domain = req.host.replace(/^mta-sts\./, '');
    const policy = DOMAINS[domain]?.mtaSts?.policy;
    if (req.method !== 'GET' || req.path !== MTA_STS_PATH || policy === undefined) return send(res, 404, 'text/plain', 'Not Found');
    return send(res, 200, 'text/plain; charset=utf-8', policy);
  };
}
