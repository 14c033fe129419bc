// RDAP stand-in (rdap.lab.test, RFC 9082/9083): domain lookups answered with the registration
// state of each lab domain, and RDAP error objects for the rest.
import type { ServerResponse } from 'node:http';
import { DOMAINS } from '../scenarios.js';
import { sendJson, segmentsUnder, type Site } from './http-util.js';

const RDAP = 'application/rdap+json';
const conformance = ['rdap_level_0', 'icann_rdap_response_profile_0', 'icann_rdap_technical_implementation_guide_0'];
const day = 24 * 3600 * 1000;

function rdapError(res: ServerResponse, status: number, title: string, description: string): void {
  sendJson(res, status, { rdapConformance: ['rdap_level_0'], errorCode: status, title, description: [description] }, RDAP, { 'Access-Control-Allow-Origin': '*' });
}

function domainObject(name: string, expires: string, base: string, now: number) {
  const expired = Date.parse(expires) < now;
  const self = `${base}domain/${name}`;
  return {
    rdapConformance: conformance,
    objectClassName: 'domain',
    handle: `${name.replace(/\./g, '_').toUpperCase()}-LAB`,
    ldhName: name,
    // Registrars put lapsed domains on hold: they stop resolving until renewed.
    status: expired ? ['client hold', 'auto renew period'] : ['active', 'client transfer prohibited'],
    events: [
      { eventAction: 'registration', eventDate: new Date(Date.parse(expires) - 3 * 365 * day).toISOString() },
      { eventAction: 'expiration', eventDate: expires },
      { eventAction: 'last changed', eventDate: new Date(now - 20 * day).toISOString() },
      { eventAction: 'last update of RDAP database', eventDate: new Date(now).toISOString() },
    ],
    entities: [{
      objectClassName: 'entity',
      handle: '9999',
      roles: ['registrar'],
      publicIds: [{ type: 'IANA Registrar ID', identifier: '9999' }],
      vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Lab Registrar SAS']]],
    }],
    nameservers: [
      { objectClassName: 'nameserver', ldhName: 'ns1.lab.test' },
      { objectClassName: 'nameserver', ldhName: 'ns2.lab.test' },
    ],
    secureDNS: { delegationSigned: false },
    links: [{ value: self, rel: 'self', href: self, type: RDAP }],
    notices: [{ title: 'Terms of Use', description: ['Lab registry data, for tests only.'], links: [{ value: self, rel: 'terms-of-service', href: `${base}help`, type: 'text/html' }] }],
  };
}

export function rdapSite(opts: { now?: () => number } = {}): Site {
  const clock = opts.now ?? Date.now;
  return (req, res, ctx) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return rdapError(res, 405, 'Method Not Allowed', 'Only GET and HEAD are supported.');
    const base = `https://${ctx.authority(req.host)}/`;
    if (req.path === '/help') {
      return sendJson(res, 200, { rdapConformance: conformance, notices: [{ title: 'Lab RDAP', description: ['Answers /domain/{name} for the lab domains.'] }] }, RDAP);
    }
    if (req.path === '/bootstrap/dns.json') {
      // The IANA bootstrap registry (RFC 9224) as data.iana.org serves it, pointing `.test` here.
      return sendJson(res, 200, {
        description: 'RDAP bootstrap file for Domain Name System registrations (lab)',
        publication: new Date(clock()).toISOString(), version: '1.0',
        services: [[['test'], [base]], [['example'], ['https://rdap.example.invalid/']]],
      }, 'application/json');
    }
    const seg = segmentsUnder(req.path, '/domain');
    if (!seg || seg.length !== 1) return rdapError(res, 400, 'Bad Request', 'Unsupported query type.');
    const name = seg[0].toLowerCase().replace(/\.$/, '');
    const d = DOMAINS[name];
    if (!d || !d.rdap.registered) return rdapError(res, 404, 'Not Found', `The domain ${name} was not found in the registry.`);
    sendJson(res, 200, domainObject(name, d.rdap.expires, base, clock()), RDAP, { 'Access-Control-Allow-Origin': '*' });
  };
}
