import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { loadConfigOrReport } from '../config/load.ts';
import { createKnex, migrate } from '../db/knex.ts';
import { bilingual } from '../i18n/index.ts';
import { systemClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';
import { createAuditRepo } from '../audit/audit.repo.ts';
import { createAuditService } from '../audit/audit.service.ts';
import { archiveDir, ArchiveRefused, runArchive } from '../audit/archive.ts';
import { checkpointKey } from '../audit/checkpoints.ts';
import { auditCheckpointSeed } from '../app/secrets.ts';

/** Exit codes, for the timer and monitoring: 0 archived or nothing due, 1 refused or failed, 2 configuration, 64 usage. */
export const ARCHIVE_EXIT = { done: 0, failed: 1, config: 2, usage: 64 } as const;


/**
 * `satu-akun audit archive [--dry-run]`: moves audit records older than SATU_AKUN_AUDIT_RETENTION_DAYS to a
 * compressed archive file and then out of the database (README "How long records are kept"). Run it as the schema
 * owner on PostgreSQL, like `migrate`: the service role may not delete audit records.
 */
export const runAuditArchive = async (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let dryRun: boolean;
  try {
    dryRun = parseArgs({ args, options: { 'dry-run': { type: 'boolean' } }, strict: true }).values['dry-run'] === true;
  } catch {
    console.error(bilingual('archive.usage'));
    return ARCHIVE_EXIT.usage;
  }
  const config = loadConfigOrReport(env);
  if (!config) return ARCHIVE_EXIT.config;
  let knex: Knex | undefined;
  try {
    knex = createKnex(config);
    await migrate(knex);
    const repo = createAuditRepo(knex);
    const audit = createAuditService({ repo, clock: systemClock, logger: createLogger(config.logLevel) });
    const days = config.auditRetention.days;
    // The checkpoint key signs the archive's row (the same key as the checkpoints; the database never holds it).
    const key = checkpointKey(auditCheckpointSeed(config));
    const outcome = await runArchive({ knex, repo, audit, clock: systemClock, dir: archiveDir(config), retentionDays: days, dryRun, key });
    if (outcome.resumed) console.log(bilingual('archive.resumed', { count: outcome.resumed }));
    if (outcome.kind === 'nothing') console.log(bilingual('archive.nothing', { days, cutoff: outcome.cutoff }));
    else if (outcome.kind === 'waiting') console.log(bilingual('archive.waiting_reports', { due: outcome.due, counted: outcome.counted }));
    else if (outcome.kind === 'planned') console.log(bilingual('archive.planned', { from: outcome.fromSeq, to: outcome.toSeq, count: outcome.count, days, file: outcome.file }));
    else console.log(bilingual('archive.done', { from: outcome.fromSeq, to: outcome.toSeq, count: outcome.count, file: outcome.file, sha256: outcome.sha256, deleted: outcome.deleted }));
    return ARCHIVE_EXIT.done;
  } catch (err) {
    if (err instanceof ArchiveRefused) console.error(bilingual(err.key, err.params));
    else console.error(bilingual('archive.failed', { message: (err as Error).message }));
    return ARCHIVE_EXIT.failed;
  } finally {
    await knex?.destroy();
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runAuditArchive(process.argv.slice(2));
