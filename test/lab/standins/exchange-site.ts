// One Exchange client-access server: Autodiscover, EWS and OWA under one host name, with IIS's
// case-insensitive paths.
import type { AuthLog } from './auth-log.js';
import { AUTODISCOVER_PATH, autodiscover } from './autodiscover.js';
import { EWS_PATH, ews } from './ews.js';
import { send, sendEmpty, type Site } from './http-util.js';
import { owa } from './owa.js';
import type { RequestLog } from './request-log.js';

/**
 * `serverName(host)` is the name the server answers as (it appears in Autodiscover URLs); every
 * request is recorded in `requests` (host, path, Authorization scheme) before it is answered.
 */
export function exchangeSite(log: AuthLog, serverName: (host: string) => string, requests?: RequestLog): Site {
  const webmail = owa(log);
  return async (req, res, ctx) => {
    await requests?.record(req, 'https');
    const path = req.path.toLowerCase();
    if (path === AUTODISCOVER_PATH) return autodiscover(req, res, ctx, log, serverName(req.host));
    if (path === EWS_PATH) return ews(req, res, log);
    if (path === '/owa' || path.startsWith('/owa/')) return webmail.handle(req, res);
    if (path === '/') return sendEmpty(res, 302, { Location: '/owa/' });
    send(res, 404, 'text/html', '<h1>404 - File or directory not found.</h1>');
  };
}
