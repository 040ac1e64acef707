import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from '../../config/schema.ts';
import { checkpointFile, DEV_SECRET_FILES } from '../../app/secrets.ts';
import { DATABASE_ENTRY } from './database.ts';
import { BackupError } from './errors.ts';

/** What the archive says about itself: `manifest.json`, its first entry. */
export const manifestSchema = z.strictObject({
  format: z.literal('satu-akun-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  database: z.enum(['sqlite', 'pg']),
  /** Every other entry: the database, `keys/*.jwk.json`, `audit-checkpoints.jsonl`, `data/dev-*.json`. */
  entries: z.array(z.string()),
  /** The signing keys came from SATU_AKUN_SIGNING_KEYS (configuration), so none are in the archive. */
  signingKeysInEnvironment: z.boolean(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const MANIFEST_ENTRY = 'manifest.json';
const CHECKPOINTS_ENTRY = 'audit-checkpoints.jsonl';
const KEY_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.jwk\.json$/;
const DEV_NAMES = new Set<string>(Object.values(DEV_SECRET_FILES));

/** A file kept beside the database: its name in the archive and where it lives under `config`. */
export interface StateFile {
  entry: string;
  path: string;
}

const keyFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jwk.json')).sort() : []);

/**
 * Where an archive entry other than the database lives under `config`: keys in the keys directory, the checkpoints
 * where checkpoints are configured, development secrets in the data directory. Anything else is not ours.
 */
export const pathOf = (config: Config, entry: string): string | undefined => {
  if (entry === CHECKPOINTS_ENTRY) return checkpointFile(config);
  const [folder, name, ...rest] = entry.split('/');
  if (rest.length || !name) return undefined;
  if (folder === 'keys' && KEY_FILE.test(name)) return join(config.keysDir, name);
  if (folder === 'data' && DEV_NAMES.has(name)) return join(config.dataDir, name);
  return undefined;
};

/**
 * The files that are state besides the database and exist under `config`: the signing keys of the keys directory,
 * the audit checkpoints file, and the secrets generated into the data directory outside production.
 */
export const stateFiles = (config: Config): StateFile[] => {
  const entries = [
    ...keyFiles(config.keysDir).filter((f) => KEY_FILE.test(f)).map((f) => `keys/${f}`),
    CHECKPOINTS_ENTRY,
    ...[...DEV_NAMES].map((name) => `data/${name}`),
  ];
  return entries.map((entry) => ({ entry, path: pathOf(config, entry)! })).filter((f) => existsSync(f.path));
};

/** The state files of an archive, where they go under `config`; an entry that is not ours refuses the archive. */
export const restorePlan = (config: Config, manifest: Manifest): StateFile[] =>
  manifest.entries
    .filter((entry) => entry !== DATABASE_ENTRY[manifest.database])
    .map((entry) => {
      const path = pathOf(config, entry);
      if (!path) throw new BackupError('restore.unexpected_entry', { entry }, 3);
      return { entry, path };
    });

/**
 * The files in the way of restoring `plan` (files extracted under `dir`): one that exists with other content (an
 * identical one is left as it is), and signing keys in the keys directory that the archive does not hold.
 */
export const filesInTheWay = (config: Config, plan: StateFile[], dir: string): string[] => {
  const differing = plan.filter(({ entry, path }) => existsSync(path) && !readFileSync(path).equals(readFileSync(join(dir, entry)))).map((f) => f.path);
  const archived = new Set(plan.map((f) => f.path));
  const otherKeys = keyFiles(config.keysDir).map((f) => join(config.keysDir, f)).filter((path) => !archived.has(path));
  return [...differing, ...otherKeys];
};
