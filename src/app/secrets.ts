import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';

/**
 * Cookie signing keys: from configuration, or (development only, refused in production by the config schema)
 * generated once into the data directory so sessions survive a restart.
 */
export const cookieKeys = (config: Config): string[] => {
  if (config.cookieKeys?.length) return config.cookieKeys;
  const file = join(config.dataDir, 'dev-cookie-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as string[];
  const keys = [randomBytes(32).toString('base64url')];
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys));
  chmodSync(file, 0o600);
  return keys;
};
