// Where the mailbox password may go, decided in one place for every check that uses it: the
// hosts the platform profile or the provider names for the account, and — for Autodiscover only —
// https endpoints on the mailbox's own registrable domain. Nothing else, whatever a redirect, an
// SRV record or an Autodiscover answer says: the service must not be a credential relay.
//
// Then the provider's own word on this account (read by the account check): an authentication
// policy that blocks Basic ("legacy") logins for the check's protocol, or authorised IPs that do not
// include the addresses we leave from. Either refuses a correct password, so it is not sent at all.
import type { CheckContext, CheckId, CheckOutcome } from '../diagnostics/types.js';
import { resolvePlatform, withProviderServer, type ResolvedPlatform } from '../platforms/profile.js';
import { registrableDomain } from '../platforms/registrable-domain.js';
import { egressAllowed, ipFlagOf, legacyFlagOf } from '../providers/auth-restrictions.js';

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

/** The context the gate reads: the profile, the provider's facts and (optionally) our egress addresses. */
type GateContext = ScopeContext & { deps?: { settings?: { egressAddresses?: readonly string[] } } };

/**
 * The password checks and the protocol each logs in with (our names, as a policy's
 * `legacyAuthBlocked` lists them). Submission has none: no policy flag covers SMTP.
 */
const CHECK_PROTOCOLS: Partial<Record<CheckId, { protocol?: string; label: string }>> = {
  imap: { protocol: 'imap', label: 'IMAP' },
  receive: { protocol: 'imap', label: 'IMAP' },
  webmail: { protocol: 'ews', label: 'EWS (webmail)' },
  autodiscover: { protocol: 'autodiscover', label: 'Autodiscover' },
  send: { label: 'SMTP submission' },
};

/**
 * For checks whose endpoint comes from the platform profile (webmail, IMAP, submission): the
 * outcome to return instead of using the password when the rule says no. A profile that names a
 * plain-http URL is our configuration's fault, so an error, not the account's. With `check`, the
 * provider's facts are consulted too (providerRefusal).
 */
export function passwordRefused(target: string, ctx: GateContext, check?: CheckId): CheckOutcome | undefined {
  const v = mayReceivePassword(target, ctx);
  if (!v.ok) {
    const credentials: CredentialDecision[] = [{ url: target, sent: false, reason: v.reason }];
    return { status: 'error', code: 'CHECK_ERROR', message: `the password was not sent to ${target}: ${v.reason}`, evidence: { credentials } };
  }
  return check ? providerRefusal(target, ctx, check) : undefined;
}

/** The Autodiscover check's gate: its password goes to the platform's server over https. */
export function autodiscoverRefused(ctx: GateContext): CheckOutcome | undefined {
  const server = withProviderServer(ctx.platform, ctx.facts.server).server;
  return server ? providerRefusal(`https://${server}/autodiscover/autodiscover.xml`, ctx, 'autodiscover') : undefined;
}

/**
 * The provider says this login cannot succeed whatever the password:
 * - its authentication policy blocks legacy (Basic) authentication for the check's protocol →
 *   `LEGACY_AUTH_BLOCKED`;
 * - the protocol's flag is restricted to authorised IPs, EGRESS_ADDRESSES is set and none of our
 *   addresses is in an allowed block → `IP_NOT_AUTHORIZED`.
 * Both fail without sending the password (a refused login would count towards the lockout). With
 * EGRESS_ADDRESSES unset the login goes ahead, and the restriction is recorded in
 * `facts.unverifiedIpRestriction` so that a refusal can name it (the runner adds it).
 * Semantics of the facts: src/providers/auth-restrictions.ts.
 */
export function providerRefusal(target: string, ctx: GateContext, check: CheckId): CheckOutcome | undefined {
  const what = CHECK_PROTOCOLS[check];
  if (!what) return undefined;
  const policy = ctx.facts.authPolicy;
  if (what.protocol && policy?.legacyAuthBlocked.includes(what.protocol)) {
    const flag = legacyFlagOf(what.protocol) ?? what.protocol;
    const name = policy.id ? `authentication policy ${policy.id}` : 'authentication policy';
    const reason = `the provider's ${name} blocks Basic (legacy) authentication for ${what.label} (${flag})`;
    const credentials: CredentialDecision[] = [{ url: target, sent: false, reason }];
    return {
      status: 'fail', code: 'LEGACY_AUTH_BLOCKED',
      message: `${what.label} refuses password logins for this account: the provider's ${name} sets ${flag}; the password was not sent`,
      evidence: { authenticationPolicy: { id: policy.id ?? null, appliesAs: policy.source ?? null, flag, flags: policy.flags }, credentials },
    };
  }
  const flag = ipFlagOf(target);
  const allowed = flag ? ctx.facts.ipRestrictions?.restricted[flag] : undefined;
  if (!flag || !allowed?.length) return undefined;
  const egress = ctx.deps?.settings?.egressAddresses ?? [];
  if (!egress.length) {
    (ctx.facts.unverifiedIpRestriction ??= {})[check] = { flag, allowed: [...allowed] };
    return undefined;
  }
  if (egressAllowed(egress, allowed).allowed.length) return undefined;
  const reason = `${flag} at the provider is open only to ${allowed.join(', ')}, and none of our egress addresses (${egress.join(', ')}) is among them`;
  const credentials: CredentialDecision[] = [{ url: target, sent: false, reason }];
  return {
    status: 'fail', code: 'IP_NOT_AUTHORIZED',
    message: `${what.label} is restricted to authorised IPs at the provider (${flag}: ${allowed.join(', ')}) and this service's addresses (${egress.join(', ')}) are not among them; the password was not sent`,
    evidence: { ipRestriction: { flag, allowed: [...allowed], egressAddresses: [...egress] }, credentials },
  };
}
