// The plain-http side of the mail domains' autodiscover names: the redirect probe of
// [MS-OXDSCLI] (GET http://autodiscover.<domain>/autodiscover/autodiscover.xml, no credentials)
// gets a 302 where scenarios.ts says so, and a 404 elsewhere, as a web server with one redirect
// rule would answer.
import { AUTODISCOVER_PATH, autodiscoverFault } from './autodiscover.js';
import { send, sendEmpty, type Site } from './http-util.js';

export function httpRedirectSite(): Site {
  return (req, res) => {
    const target = autodiscoverFault(req.host)?.httpRedirect;
    if (target && req.path.toLowerCase() === AUTODISCOVER_PATH) return sendEmpty(res, 302, { Location: target });
    send(res, 404, 'text/html', '<h1>404 - File or directory not found.</h1>');
  };
}
