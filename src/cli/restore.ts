import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadConfigOrReport } from '../config/load.ts';
import { bilingual } from '../i18n/index.ts';
import { BackupError } from '../ops/backup/errors.ts';
import { restoreBackup } from '../ops/backup/restore.ts';
import { runAuditVerify } from './audit-verify.ts';

/**
 * Exit codes: 0 restored and the audit trail verified (or, with --check, the archive is intact); 1 failed; 2
 * configuration (or no backup key); 3 archive refused (not an archive, wrong key, altered, the other database kind);
 * 4 the database or the keys/data directory is not empty; 5 restored, but the audit trail does not verify; 64 usage.
 */
export const RESTORE_EXIT = { restored: 0, failed: 1, config: 2, refused: 3, notEmpty: 4, auditFailed: 5, usage: 64 } as const;

const optionsOf = (args: string[]): { from: string; check: boolean } | undefined => {
  try {
    const { values } = parseArgs({ args, options: { from: { type: 'string' }, check: { type: 'boolean', default: false } }, strict: true });
    return values.from ? { from: values.from, check: values.check } : undefined;
  } catch {
    return undefined;
  }
};

/**
 * `satu-akun restore --from FILE | --from - [--check]`: restores a `backup` archive into an empty database and keys
 * directory, then verifies the audit trail as `audit verify` does. `--check` only verifies and reads the archive.
 */
export const runRestore = async (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const options = optionsOf(args);
  if (!options) {
    console.error(bilingual('restore.usage'));
    return RESTORE_EXIT.usage;
  }
  const config = loadConfigOrReport(env);
  if (!config) return RESTORE_EXIT.config;
  if (!config.backupKey) {
    console.error(bilingual('restore.no_key'));
    return RESTORE_EXIT.config;
  }
  try {
    const { manifest, files } = await restoreBackup(config, options.from, { check: options.check });
    const keys = files.filter((f) => f.entry.startsWith('keys/')).length;
    const counts = { database: manifest.database, at: manifest.createdAt, keys, files: files.length - keys };
    if (options.check) {
      console.log(bilingual('restore.checked', counts));
      return RESTORE_EXIT.restored;
    }
    console.log(bilingual('restore.done', { ...counts, from: options.from }));
    if (manifest.signingKeysInEnvironment) console.log(bilingual('restore.keys_in_environment'));
  } catch (err) {
    if (err instanceof BackupError) {
      console.error(bilingual(err.key, err.params));
      return err.exit;
    }
    console.error(bilingual('restore.failed', { message: (err as Error).message }));
    return RESTORE_EXIT.failed;
  }
  if ((await runAuditVerify([], env)) === 0) return RESTORE_EXIT.restored;
  console.error(bilingual('restore.audit_failed'));
  return RESTORE_EXIT.auditFailed;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runRestore(process.argv.slice(2));
