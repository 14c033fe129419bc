// API clients: keys from API_KEYS and CLIENTS_FILE merged by id, each with the policy that bounds
// what it may make the service do (which platforms, servers and mailbox domains; how often, how many).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Which `server` a request may name. `platform`: only a credential host of its platform profile or a
 * host under that host's parent domain (see api/client-policy.ts); `none`: only the profile's own
 * default; `any`: whatever passes the egress policy at connect time.
 */
export type ServerOverride = 'any' | 'platform' | 'none';

export interface ClientPolicy {
  /** Platform profile ids the client may use; undefined = all. */
  platforms?: readonly string[];
  /** Default `platform`. */
  serverOverride: ServerOverride;
  /** Mailbox domains (exact, or `*.suffix` for its subdomains); undefined = any. */
  accountDomains?: readonly string[];
  /** POST /v1/diagnostics per window; undefined = unlimited. */
  rateLimit?: { max: number; windowSeconds: number };
  /** Queued + running diagnostics at once; 0 = no cap. */
  maxActive: number;
}

export interface ClientSettings {
  id: string;
  /** SHA-256 hex digests of the client's API keys. */
  keyDigests: string[];
  webhookUrl?: string;
  /** Standard Webhooks secrets (`whsec_…`); several during a rotation, the first signs as well. */
  webhookSecrets: string[];
  policy: ClientPolicy;
}

/** Deployment-wide defaults of the per-client limits (from the environment). */
export interface ClientDefaults {
  rateLimit: { max: number; windowSeconds: number };
  maxActive: number;
}

const domainPattern = z.string().toLowerCase().regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain or *.domain');

const clientsFileSchema = z.array(z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  apiKeySha256: z.array(z.string().regex(/^[a-f0-9]{64}$/)).default([]),
  webhookUrl: z.string().url().optional(),
  webhookSecrets: z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/)).default([]),
  platforms: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1).optional(),
  serverOverride: z.enum(['any', 'platform', 'none']).default('platform'),
  accountDomains: z.array(domainPattern).min(1).optional(),
  // max 0 = no rate limit for this client.
  rateLimit: z.object({ max: z.number().int().min(0), windowSeconds: z.number().int().min(1).max(86400) }).strict().optional(),
  maxActive: z.number().int().min(0).optional(),
  // Strict: a misspelt policy field must not silently fall back to a wider default.
}).strict());

export class ClientsFileError extends Error {
  override name = 'ClientsFileError';
}

export function loadClients(
  apiKeys: readonly string[],
  file: string | undefined,
  defaults: ClientDefaults,
  knownPlatforms: ReadonlySet<string>,
): Map<string, ClientSettings> {
  const defaultPolicy = (): ClientPolicy => ({
    serverOverride: 'platform',
    maxActive: defaults.maxActive,
    ...(defaults.rateLimit.max > 0 ? { rateLimit: { ...defaults.rateLimit } } : {}),
  });
  const clients = new Map<string, ClientSettings>();
  const entry = (id: string) => {
    const c = clients.get(id) ?? { id, keyDigests: [], webhookSecrets: [], policy: defaultPolicy() };
    clients.set(id, c);
    return c;
  };
  for (const pair of apiKeys) {
    const i = pair.indexOf(':');
    entry(pair.slice(0, i)).keyDigests.push(sha256(pair.slice(i + 1)));
  }
  if (!file) return clients;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ClientsFileError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const f = clientsFileSchema.safeParse(raw);
  if (!f.success) throw new ClientsFileError(f.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  for (const [n, c] of f.data.entries()) {
    const unknown = c.platforms?.filter((p) => !knownPlatforms.has(p)) ?? [];
    if (unknown.length) throw new ClientsFileError(`${n}.platforms: unknown profile ${unknown.join(', ')}`);
    const prev = entry(c.id);
    prev.keyDigests.push(...c.apiKeySha256);
    prev.webhookUrl = c.webhookUrl ?? prev.webhookUrl;
    prev.webhookSecrets.push(...c.webhookSecrets);
    const rateLimit = c.rateLimit ?? prev.policy.rateLimit;
    prev.policy = {
      serverOverride: c.serverOverride,
      maxActive: c.maxActive ?? prev.policy.maxActive,
      ...(c.platforms ? { platforms: c.platforms } : {}),
      ...(c.accountDomains ? { accountDomains: c.accountDomains } : {}),
      ...(rateLimit && rateLimit.max > 0 ? { rateLimit } : {}),
    };
  }
  return clients;
}
