import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config/schema.ts';

/**
 * The files secrets are generated into, in the data directory, when configuration names none (outside production).
 * They are state like the database: second-factor secrets cannot be decrypted without the MFA key, so backups keep them.
 */
export const DEV_SECRET_FILES = {
  cookie: 'dev-cookie-keys.json',
  mfa: 'dev-mfa-keys.json',
  clientSecret: 'dev-client-secret-keys.json',
  auditCheckpoint: 'dev-audit-checkpoint-key.json',
} as const;

const devSecret = (config: Config, name: string, make: () => string): string[] => {
  const file = join(config.dataDir, name);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as string[];
  const keys = [make()];
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(keys));
  chmodSync(file, 0o600);
  return keys;
};

/**
 * Cookie signing keys: from configuration, or (development only, refused in production by the config schema)
 * generated once into the data directory so sessions survive a restart.
 */
export const cookieKeys = (config: Config): string[] => {
  if (config.cookieKeys?.length) return config.cookieKeys;
  return devSecret(config, DEV_SECRET_FILES.cookie, () => randomBytes(32).toString('base64url'));
};

/** Keys encrypting second-factor secrets at rest, newest first; generated in the data directory outside production. */
export const mfaKeys = (config: Config): Buffer[] =>
  (config.mfaKeys?.length ? config.mfaKeys : devSecret(config, DEV_SECRET_FILES.mfa, () => randomBytes(32).toString('base64url'))).map((k) =>
    Buffer.from(k, 'base64url'),
  );

/** Keys of the keyed hash storing client secrets, newest first; generated in the data directory outside production. */
export const clientSecretKeys = (config: Config): string[] =>
  config.clientSecretKeys?.length ? config.clientSecretKeys : devSecret(config, DEV_SECRET_FILES.clientSecret, () => randomBytes(32).toString('base64url'));

/** The Ed25519 seed signing audit checkpoints; generated in the data directory outside production. */
export const auditCheckpointSeed = (config: Config): string =>
  config.auditCheckpoint.key ?? devSecret(config, DEV_SECRET_FILES.auditCheckpoint, () => randomBytes(32).toString('base64url'))[0]!;

/** Where audit checkpoints are appended: configured, or beside the SQLite file in the data directory. */
export const checkpointFile = (config: Config): string => config.auditCheckpoint.file ?? join(config.dataDir, 'audit-checkpoints.jsonl');
