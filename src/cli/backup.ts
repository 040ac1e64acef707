import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfigOrReport } from '../config/load.ts';
import { bilingual } from '../i18n/index.ts';
import { createBackup, type Destination } from '../ops/backup/backup.ts';
import { BackupError } from '../ops/backup/errors.ts';

/** Exit codes, for cron jobs and monitoring: 0 written, 1 failed, 2 configuration (or no backup key), 64 usage. */
export const BACKUP_EXIT = { written: 0, failed: 1, config: 2, usage: 64 } as const;

const destinationOf = (args: string[]): Destination | undefined => {
  try {
    const { values } = parseArgs({ args, options: { to: { type: 'string' }, 'to-command': { type: 'string' } }, strict: true });
    if (values.to !== undefined && values['to-command'] === undefined && values.to !== '') return values.to === '-' ? { stdout: true } : { file: values.to };
    if (values['to-command'] && values.to === undefined) return { command: values['to-command'] };
  } catch {
    // an unknown option or a missing value: the usage below
  }
  return undefined;
};

/**
 * `satu-akun backup --to FILE | --to-command "CMD" | --to -`: one encrypted, compressed archive of the database, the
 * signing keys of the keys directory, the audit checkpoints and the development secrets (README "Backups and disaster
 * recovery"). Online: the service keeps running.
 */
export const runBackup = async (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const to = destinationOf(args);
  if (!to) {
    console.error(bilingual('backup.usage'));
    return BACKUP_EXIT.usage;
  }
  // With the archive on stdout, messages go to stderr.
  const say = 'stdout' in to ? console.error : console.log;
  const config = loadConfigOrReport(env);
  if (!config) return BACKUP_EXIT.config;
  if (!config.backupKey) {
    console.error(bilingual('backup.no_key'));
    return BACKUP_EXIT.config;
  }
  try {
    const { bytes, manifest } = await createBackup(config, to);
    const keys = manifest.entries.filter((e) => e.startsWith('keys/')).length;
    // The command itself is not repeated: it may carry a credential (curl -u, a URL with a password).
    const where = 'file' in to ? to.file : 'command' in to ? '--to-command' : '-';
    say(bilingual('backup.written', { to: where, bytes, database: manifest.database, keys, files: manifest.entries.length - 1 - keys }));
    if (manifest.signingKeysInEnvironment) say(bilingual('backup.keys_in_environment'));
    else if (!keys) say(bilingual('backup.no_signing_keys', { dir: config.keysDir }));
    return BACKUP_EXIT.written;
  } catch (err) {
    if (err instanceof BackupError) {
      console.error(bilingual(err.key, err.params));
      return err.exit;
    }
    console.error(bilingual('backup.failed', { message: (err as Error).message }));
    return BACKUP_EXIT.failed;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runBackup(process.argv.slice(2));
