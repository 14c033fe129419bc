// The only reader of process.env: one validated, typed, frozen object.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { envSchema, type Env } from './schema.js';
import { loadPlatforms, type PlatformCatalogue } from '../platforms/catalogue.js';

export interface ClientSettings {
  id: string;
  /** SHA-256 hex digests of the client's API keys. */
  keyDigests: string[];
  webhookUrl?: string;
  /** Standard Webhooks secrets (`whsec_…`); several during a rotation, the first signs as well. */
  webhookSecrets: string[];
}

/** The environment, with the raw API keys and sealing key replaced by their derived forms. */
export interface Config extends Omit<Env, 'API_KEYS' | 'SEAL_KEY'> {
  clients: ReadonlyMap<string, ClientSettings>;
  platforms: PlatformCatalogue;
  /** Present when SEAL_KEY is set; the API and the worker refuse to start without it. */
  sealKey?: Buffer;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const clientsFileSchema = z.array(z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  apiKeySha256: z.array(z.string().regex(/^[a-f0-9]{64}$/)).default([]),
  webhookUrl: z.string().url().optional(),
  webhookSecrets: z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/)).default([]),
}));

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // An empty variable (FOO= in a shell, ${FOO:-} in compose) means "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const clients = new Map<string, ClientSettings>();
  for (const pair of e.API_KEYS) {
    const i = pair.indexOf(':');
    const id = pair.slice(0, i);
    const c = clients.get(id) ?? { id, keyDigests: [], webhookSecrets: [] };
    c.keyDigests.push(sha256(pair.slice(i + 1)));
    clients.set(id, c);
  }
  if (e.CLIENTS_FILE) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(e.CLIENTS_FILE, 'utf8'));
    } catch (err) {
      throw new ConfigError(`invalid configuration:\n  CLIENTS_FILE: cannot read ${e.CLIENTS_FILE}: ${(err as Error).message}`);
    }
    const f = clientsFileSchema.safeParse(raw);
    if (!f.success) {
      throw new ConfigError(`invalid configuration:\n${f.error.issues.map((i) => `  CLIENTS_FILE ${i.path.join('.')}: ${i.message}`).join('\n')}`);
    }
    for (const c of f.data) {
      const prev = clients.get(c.id) ?? { id: c.id, keyDigests: [], webhookSecrets: [] };
      prev.keyDigests.push(...c.apiKeySha256);
      prev.webhookUrl = c.webhookUrl ?? prev.webhookUrl;
      prev.webhookSecrets.push(...c.webhookSecrets);
      clients.set(c.id, prev);
    }
  }
  let platforms: PlatformCatalogue;
  try {
    platforms = loadPlatforms(e.PLATFORMS_FILE);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  PLATFORMS_FILE: ${(err as Error).message}`);
  }
  if (!platforms.has(e.DEFAULT_PLATFORM)) {
    throw new ConfigError(`invalid configuration:\n  DEFAULT_PLATFORM: unknown profile "${e.DEFAULT_PLATFORM}" (known: ${[...platforms.keys()].join(', ')})`);
  }
  const { API_KEYS: _keys, SEAL_KEY: sealKeyB64, ...rest } = e;
  return Object.freeze({ ...rest, clients, platforms, sealKey: sealKeyB64 ? Buffer.from(sealKeyB64, 'base64') : undefined });
}

/** The API and the worker need the sealing key; the CLI does not. */
export function requireSealKey(config: Config): Buffer {
  if (!config.sealKey) throw new ConfigError('invalid configuration:\n  SEAL_KEY: required (32 bytes, base64: openssl rand -base64 32)');
  return config.sealKey;
}

/** Process entry points: a configuration error is one clear message on stderr and exit code 2, not a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  try {
    const config = loadConfig(env);
    requireSealKey(config);
    return config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}
