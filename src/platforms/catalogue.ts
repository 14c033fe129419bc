// Reads the platform profiles: built-in defaults, then PLATFORMS_FILE (YAML or JSON) over them.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { defaultProfiles } from './defaults.js';
import { profileSchema, type PlatformProfile } from './profile.js';

export type PlatformCatalogue = ReadonlyMap<string, PlatformProfile>;

export function loadPlatforms(file?: string): PlatformCatalogue {
  const all = new Map<string, PlatformProfile>(Object.entries(defaultProfiles).map(([k, v]) => [k, profileSchema.parse(v)]));
  if (!file) return all;
  const raw = parse(readFileSync(file, 'utf8')) as unknown;
  const res = z.record(z.string().regex(/^[a-z0-9-]+$/, 'profile ids are lower-case words with dashes'), profileSchema).safeParse(raw);
  if (!res.success) {
    throw new Error(res.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`).join('; '));
  }
  for (const [k, v] of Object.entries(res.data)) all.set(k, v);
  return all;
}
