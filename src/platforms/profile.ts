// A platform profile is data: the hosts, ports and records an offer expects.
// "{server}" in any host stands for the account's server (request `server`, provider, or profile default).
import { isIP } from 'node:net';
import { z } from 'zod';

const host = z.string().min(1).regex(/^[A-Za-z0-9.{}_-]+$/, 'must be a host name');
const endpoint = z.object({ host, port: z.number().int().min(1).max(65535) });
/** A DKIM selector: one or more DNS labels (RFC 6376 §3.1). */
const selector = z.string().regex(/^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*$/, 'must be a DKIM selector (DNS labels)');

export const profileSchema = z.object({
  label: z.string(),
  /** Default account server when neither the request nor the provider names one. */
  server: host,
  /** Accepted MX hosts (every MX of the domain must be one of them). */
  mx: z.array(host).min(1),
  srv: z.object({
    target: host,
    port: z.number().int().default(443),
    priority: z.number().int().default(0),
    weight: z.number().int().default(0),
  }),
  imap: endpoint,
  /** Authenticated submission (STARTTLS when port is not 465). */
  smtp: endpoint,
  /** EWS endpoint URL and OWA URL. */
  ews: z.string().url().or(z.string().regex(/^https:\/\/\{server\}/)),
  owa: z.string().url().or(z.string().regex(/^https:\/\/\{server\}/)),
  /** Statuspage-style status API base (…/api/v2) and the component names that matter for mail. */
  statusPage: z.object({ url: z.string().url(), components: z.array(z.string()).default([]) }).optional(),
  /** Names the domain's SPF must reach through include: or redirect= so the platform may send for it. */
  spf: z.object({ include: z.array(host).default([]) }).optional(),
  /** DKIM selectors the platform signs with, looked up when the provider names none. */
  dkim: z.object({ selectors: z.array(selector).max(10).default([]) }).optional(),
  /** Addresses the platform sends mail from: checked against DNS blocklists and for reverse DNS. */
  outbound: z.array(z.string().refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address')).max(32).optional(),
});

export type PlatformProfile = z.output<typeof profileSchema>;

export interface ResolvedPlatform {
  id: string;
  label: string;
  server: string;
  /** Where `server` came from. */
  serverSource: 'request' | 'provider' | 'profile';
  mx: string[];
  srv: { target: string; port: number; priority: number; weight: number };
  imap: { host: string; port: number };
  smtp: { host: string; port: number };
  ews: string;
  owa: string;
  statusPage?: { url: string; components: string[] };
  spf?: { include: string[] };
  dkim?: { selectors: string[] };
  outbound?: string[];
  /** The profile it came from, to re-resolve when the provider names the server. */
  profile: PlatformProfile;
}

const fill = (s: string, server: string) => s.replaceAll('{server}', server).toLowerCase();

export function resolvePlatform(
  id: string,
  p: PlatformProfile,
  server: string | undefined,
  serverSource: ResolvedPlatform['serverSource'] = 'request',
): ResolvedPlatform {
  const srv = server ?? p.server;
  return {
    id,
    label: p.label,
    server: srv.toLowerCase(),
    serverSource: server ? serverSource : 'profile',
    mx: [...new Set(p.mx.map((h) => fill(h, srv)))],
    srv: { ...p.srv, target: fill(p.srv.target, srv) },
    imap: { ...p.imap, host: fill(p.imap.host, srv) },
    smtp: { ...p.smtp, host: fill(p.smtp.host, srv) },
    ews: p.ews.replaceAll('{server}', srv),
    owa: p.owa.replaceAll('{server}', srv),
    statusPage: p.statusPage,
    spf: p.spf && { include: [...new Set(p.spf.include.map((h) => fill(h, srv)))] },
    dkim: p.dkim && { selectors: [...new Set(p.dkim.selectors.map((s) => s.toLowerCase()))] },
    outbound: p.outbound && [...new Set(p.outbound)],
    profile: p,
  };
}

/** The platform once the provider told the account's server (a server named in the request wins). */
export function withProviderServer(p: ResolvedPlatform, server: string | undefined): ResolvedPlatform {
  if (!server || p.serverSource === 'request') return p;
  return resolvePlatform(p.id, p.profile, server, 'provider');
}
