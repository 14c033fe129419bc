// Where the mailbox password may go, decided in one place for every check that uses it: the
// hosts the platform profile or the provider names for the account, and — for Autodiscover only —
// https endpoints on the mailbox's own registrable domain. Nothing else, whatever a redirect, an
// SRV record or an Autodiscover answer says: the service must not be a credential relay.
import type { CheckContext, CheckOutcome } from '../diagnostics/types.js';
import { resolvePlatform, withProviderServer, type ResolvedPlatform } from '../platforms/profile.js';
import { registrableDomain } from '../platforms/registrable-domain.js';

export type PasswordVerdict = { ok: true; reason: string } | { ok: false; reason: string };

/**
 * `platform`: only the platform's hosts (EWS, IMAP, submission). `autodiscover`: also the
 * mailbox's registrable domain, where Outlook looks for its settings.
 */
export type PasswordScope = 'platform' | 'autodiscover';

/** One line of `evidence.credentials`: an endpoint that was offered the password or refused it. */
export interface CredentialDecision { url: string; sent: boolean; reason: string }

type ScopeContext = Pick<CheckContext, 'platform' | 'facts' | 'domain'>;

/**
 * Transport per scheme. https verifies the certificate (net/http never connects otherwise); IMAP
 * and SMTP connectors require TLS (implicit, or STARTTLS before AUTH) with a verified certificate.
 */
const SCHEMES: Record<string, string> = {
  'https:': 'https',
  'imaps:': 'IMAP/TLS',
  'smtps:': 'SMTP/TLS',
  'smtp:': 'SMTP with STARTTLS required',
};

/** Host of a URL or of a bare name, in the one spelling URLs use (lower case, ASCII, IPs normalised). */
function hostOf(target: string): string | undefined {
  try {
    const raw = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? new URL(target).host : target;
    // imaps:/smtp: are not "special" schemes: re-read the host as https would, which normalises it.
    const u = new URL(`https://${raw}`);
    return u.hostname.replace(/\.$/, '') || undefined;
  } catch {
    return undefined;
  }
}

/** The platform's hosts for this account, each with the roles that name it. */
export function platformHosts(ctx: ScopeContext): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  const add = (target: string | undefined, role: string) => {
    const h = target && hostOf(target);
    if (!h) return;
    const roles = hosts.get(h) ?? [];
    if (!roles.includes(role)) roles.push(role);
    hosts.set(h, roles);
  };
  // The profile as resolved for the request, with the provider's server (when it names one), and
  // with its own default server: all are hosts this platform names (a request's `server` may say
  // ex3 while the domain's SRV record still names the profile's ex).
  const platforms: ResolvedPlatform[] = [
    ctx.platform,
    withProviderServer(ctx.platform, ctx.facts.server),
    resolvePlatform(ctx.platform.id, ctx.platform.profile, undefined),
  ];
  for (const p of platforms) {
    add(p.server, 'server');
    add(p.ews, 'EWS');
    add(p.owa, 'OWA');
    add(p.imap.host, 'IMAP');
    add(p.smtp.host, 'SMTP');
    add(p.srv.target, 'Autodiscover SRV target');
  }
  add(ctx.facts.server, 'provider server');
  return hosts;
}

/** May the mailbox password be sent to `target` (a URL: https://…, imaps://host:port, smtp://host:port)? */
export function mayReceivePassword(target: string, ctx: ScopeContext, scope: PasswordScope = 'platform'): PasswordVerdict {
  let scheme: string;
  try {
    scheme = new URL(target).protocol;
  } catch {
    return { ok: false, reason: `${target} is not a URL` };
  }
  if (scheme === 'http:') return { ok: false, reason: 'plain http: a password is never sent unencrypted' };
  const transport = SCHEMES[scheme];
  if (!transport) return { ok: false, reason: `${scheme} is not a transport the password may use` };
  const host = hostOf(target);
  if (!host) return { ok: false, reason: `${target} names no host` };
  const roles = platformHosts(ctx).get(host);
  if (roles) return { ok: true, reason: `${host} is a host of the platform (${roles.join(', ')}), over ${transport}` };
  const mine = registrableDomain(ctx.domain);
  const theirs = registrableDomain(host);
  if (scope === 'autodiscover' && transport === 'https' && mine && theirs === mine) {
    return { ok: true, reason: `${host} is on the mailbox's registrable domain ${mine}, over verified https` };
  }
  if (scope === 'platform') return { ok: false, reason: `${host} is not a host of the platform` };
  return {
    ok: false,
    reason: `${host} is neither a host of the platform nor on the mailbox's registrable domain ${mine ?? '(none)'}`
      + ` (${theirs ? `it is on ${theirs}` : 'it has no registrable domain'})`,
  };
}

/**
 * For checks whose endpoint comes from the platform profile (webmail, IMAP, submission): the
 * outcome to return instead of using the password when the rule says no. Only a profile that
 * names a plain-http URL gets here: our configuration's fault, so an error, not the account's.
 */
export function passwordRefused(target: string, ctx: ScopeContext): CheckOutcome | undefined {
  const v = mayReceivePassword(target, ctx);
  if (v.ok) return undefined;
  const credentials: CredentialDecision[] = [{ url: target, sent: false, reason: v.reason }];
  return { status: 'error', code: 'CHECK_ERROR', message: `the password was not sent to ${target}: ${v.reason}`, evidence: { credentials } };
}
