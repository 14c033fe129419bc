// What a client may ask for: its platforms, the `server` it may name and the mailbox domains it may
// diagnose. Without these, whoever holds an API key could send any password to any host: the
// service would be a credential-testing relay. Violations are 403 with a stable code.
import { isIP } from 'node:net';
import type { ClientPolicy } from '../config/index.js';
import type { PlatformProfile } from '../platforms/profile.js';
import { registrableDomain } from '../platforms/registrable-domain.js';
import { ProblemError } from './problem.js';
import type { ProblemCode } from './problem-codes.js';

export interface PolicyRequest {
  account: string;
  platform: string;
  server?: string;
}

/** The platform a request without one gets: the deployment's default, unless the client may not use it. */
export function defaultPlatformFor(policy: ClientPolicy, deploymentDefault: string): string {
  const allowed = policy.platforms;
  return !allowed || allowed.includes(deploymentDefault) ? deploymentDefault : allowed[0];
}

/** Throws the 403 problem of the first rule the request breaks. */
export function enforceClientPolicy(policy: ClientPolicy, profile: PlatformProfile, r: PolicyRequest): void {
  if (policy.platforms && !policy.platforms.includes(r.platform)) {
    throw forbidden('PLATFORM_NOT_ALLOWED', `this client may not use platform "${r.platform}"`, 'body.platform', 'is not allowed for this client');
  }
  if (r.server !== undefined && !serverAllowed(policy, profile, r.server)) {
    const why = policy.serverOverride === 'none'
      ? 'this client may not choose the server'
      : `server "${r.server}" is not a host of platform "${r.platform}"`;
    throw forbidden('SERVER_NOT_ALLOWED', why, 'body.server', 'is not allowed for this client');
  }
  if (policy.accountDomains && !domainAllowed(policy.accountDomains, r.account)) {
    throw forbidden('ACCOUNT_DOMAIN_NOT_ALLOWED', 'this client may not diagnose mailboxes of this domain', 'body.account', 'domain is not allowed for this client');
  }
}

const norm = (h: string) => h.trim().toLowerCase().replace(/\.$/, '');

export function serverAllowed(policy: Pick<ClientPolicy, 'serverOverride'>, profile: PlatformProfile, server: string): boolean {
  const s = norm(server);
  if (policy.serverOverride === 'any') return true;
  if (policy.serverOverride === 'none') return s === norm(profile.server);
  const { hosts, domains } = platformHosts(profile);
  if (hosts.has(s)) return true;
  // An IP literal is never "under" a domain: only an exact profile entry admits it.
  if (isIP(s)) return false;
  return [...domains].some((d) => s.endsWith(`.${d}`));
}

/**
 * The hosts a profile sends credentials to (server, IMAP, SMTP, EWS, OWA, SRV target; `{server}`
 * templates excluded) and their parent domains. The parent, not the registrable domain: under
 * `ovh.net` customers get hosts of their own (VPS names), under `mail.ovh.net` only the platform.
 * A parent that is a public suffix (`ex.co.uk` → `co.uk`) is not taken. MX hosts are left out on
 * purpose: they receive the test mail, not the password, and may belong to a third party.
 */
export function platformHosts(p: PlatformProfile): { hosts: Set<string>; domains: Set<string> } {
  const urlHost = (u: string) => { try { return new URL(u).hostname; } catch { return ''; } };
  const names = [p.server, p.imap.host, p.smtp.host, p.srv.target, urlHost(p.ews), urlHost(p.owa)]
    .filter((h) => h && !h.includes('{'))
    .map(norm);
  const hosts = new Set(names);
  const domains = new Set<string>();
  for (const h of names) {
    const parent = h.slice(h.indexOf('.') + 1);
    if (h.includes('.') && !isIP(h) && registrableDomain(parent)) domains.add(parent);
  }
  return { hosts, domains };
}

/** `example.com` matches only that domain; `*.example.com` matches its subdomains (not itself). */
export function domainAllowed(patterns: readonly string[], account: string): boolean {
  const domain = norm(account.slice(account.lastIndexOf('@') + 1));
  return patterns.some((p) => (p.startsWith('*.') ? domain.endsWith(p.slice(1)) : domain === p));
}

const forbidden = (code: ProblemCode, detail: string, field: string, message: string) =>
  new ProblemError(403, code, detail, { errors: [{ field, message }] });
