// The only reader of process.env: one validated, typed, frozen object.
import { envSchema, type Env } from './schema.js';
import { ClientsFileError, loadClients, type ClientSettings } from './clients.js';
import { loadPlatforms, type PlatformCatalogue } from '../platforms/catalogue.js';

export { sha256, type ClientPolicy, type ClientSettings, type ServerOverride } from './clients.js';

/** The environment, with the raw API keys and sealing key replaced by their derived forms. */
export interface Config extends Omit<Env, 'API_KEYS' | 'SEAL_KEY' | 'SEAL_KEY_PREVIOUS'> {
  clients: ReadonlyMap<string, ClientSettings>;
  platforms: PlatformCatalogue;
  /** Present when SEAL_KEY is set; the API and the worker refuse to start without it. */
  sealKey?: Buffer;
  /** SEAL_KEY_PREVIOUS: opens values sealed before a rotation. */
  sealKeyPrevious?: Buffer;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // An empty variable (FOO= in a shell, ${FOO:-} in compose) means "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let platforms: PlatformCatalogue;
  try {
    platforms = loadPlatforms(e.PLATFORMS_FILE);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  PLATFORMS_FILE: ${(err as Error).message}`);
  }
  if (!platforms.has(e.DEFAULT_PLATFORM)) {
    throw new ConfigError(`invalid configuration:\n  DEFAULT_PLATFORM: unknown profile "${e.DEFAULT_PLATFORM}" (known: ${[...platforms.keys()].join(', ')})`);
  }
  let clients: Map<string, ClientSettings>;
  try {
    clients = loadClients(e.API_KEYS, e.CLIENTS_FILE, {
      rateLimit: { max: e.CLIENT_RATE_LIMIT_MAX, windowSeconds: e.CLIENT_RATE_LIMIT_WINDOW_SECONDS },
      maxActive: e.CLIENT_MAX_ACTIVE,
    }, new Set(platforms.keys()));
  } catch (err) {
    if (!(err instanceof ClientsFileError)) throw err;
    throw new ConfigError(`invalid configuration:\n  CLIENTS_FILE: ${err.message}`);
  }
  const { API_KEYS: _keys, SEAL_KEY: sealKeyB64, SEAL_KEY_PREVIOUS: previousB64, ...rest } = e;
  return Object.freeze({
    ...rest, clients, platforms,
    sealKey: sealKeyB64 ? Buffer.from(sealKeyB64, 'base64') : undefined,
    sealKeyPrevious: previousB64 ? Buffer.from(previousB64, 'base64') : undefined,
  });
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
