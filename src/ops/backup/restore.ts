import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract } from 'tar';
import type { Config } from '../../config/schema.ts';
import { DATABASE_ENTRY, loadDatabase, tableCount } from './database.ts';
import { filesInTheWay, MANIFEST_ENTRY, manifestSchema, restorePlan, type Manifest, type StateFile } from './contents.ts';
import { BackupError } from './errors.ts';
import { backupKey, unseal } from './sealed.ts';
import { withStaging } from './staging.ts';

/** Where the archive comes from: a file, or `-` for this process's stdin. */
export type Source = string;

export interface RestoreSummary {
  manifest: Manifest;
  /** The files written besides the database (an identical file already in place is not rewritten). */
  files: StateFile[];
}

/** The database must hold no tables: a restore never merges into, or overwrites, a database in use. */
const requireEmptyDatabase = async (config: Config) => {
  const tables = await tableCount(config);
  if (tables > 0) throw new BackupError('restore.database_not_empty', { tables }, 4);
};

/** The archive as a file: stdin is spooled first, since the tag at its end must be checked before anything is used. */
const sealedFile = async (from: Source, work: string): Promise<string> => {
  if (from !== '-') return from;
  const file = join(work, 'sealed');
  await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
  return file;
};

/** The verified archive unpacked under `dir` (regular files and folders only, nothing outside it), and its manifest. */
const unpack = async (plain: string, dir: string): Promise<Manifest> => {
  mkdirSync(dir, { mode: 0o700 });
  try {
    await tarExtract({ file: plain, cwd: dir, strict: true, filter: (_path, entry) => !('type' in entry) || entry.type === 'File' || entry.type === 'Directory' });
  } catch (err) {
    throw new BackupError('restore.not_archive_content', { message: (err as Error).message }, 3);
  }
  const manifestFile = join(dir, MANIFEST_ENTRY);
  const parsed = existsSync(manifestFile) ? manifestSchema.safeParse(JSON.parse(readFileSync(manifestFile, 'utf8'))) : undefined;
  if (!parsed?.success) throw new BackupError('restore.not_archive_content', { message: 'manifest.json' }, 3);
  const missing = parsed.data.entries.filter((entry) => !existsSync(join(dir, entry)));
  if (missing.length) throw new BackupError('restore.not_archive_content', { message: missing.join(', ') }, 3);
  return parsed.data;
};

/**
 * Restores an archive into the configured, empty database and keys directory, as a list of steps: refuse a database
 * in use; decrypt to a private temporary file and verify the tag (a wrong key or one altered byte stops here, before
 * anything is written); unpack and read the manifest; refuse a database of the other kind, or files in the way; load
 * the database; write the keys, checkpoints and development secrets (mode 0600). With `check`, stops after unpacking.
 * The private temporary directory is removed at the end, and when the command is interrupted (SIGINT, SIGTERM, SIGHUP).
 */
export const restoreBackup = async (config: Config, from: Source, { check = false } = {}): Promise<RestoreSummary> => {
  if (from !== '-' && !existsSync(from)) throw new BackupError('restore.no_file', { file: from }, 1);
  if (!check) await requireEmptyDatabase(config);
  return withStaging('satu-akun-restore-', async (work) => {
    const plain = join(work, 'archive.tar.gz');
    await unseal(await sealedFile(from, work), backupKey(config.backupKey!), plain);
    const dir = join(work, 'archive');
    const manifest = await unpack(plain, dir);
    const plan = restorePlan(config, manifest);
    if (check) return { manifest, files: plan };
    if (manifest.database !== config.database.client) throw new BackupError('restore.other_database', { archived: manifest.database, configured: config.database.client }, 3);
    const inTheWay = filesInTheWay(config, plan, dir);
    if (inTheWay.length) throw new BackupError('restore.files_in_the_way', { files: inTheWay.join(', ') }, 4);
    await requireEmptyDatabase(config);

    await loadDatabase(config, join(dir, DATABASE_ENTRY[manifest.database]));
    const written = plan.filter((f) => !existsSync(f.path));
    for (const { entry, path } of written) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, readFileSync(join(dir, entry)), { mode: 0o600, flag: 'wx' });
    }
    return { manifest, files: written };
  });
};
