import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { loadConfig } from '../config/load.ts';
import { createKnex, migrate } from '../db/knex.ts';
import { createLogger } from '../shared/logger.ts';
import { systemClock } from '../shared/clock.ts';
import { createAuditService, type AuditVerification } from '../audit/audit.service.ts';

/** Exit codes, for cron jobs and monitoring: 0 intact, 1 tampered, 2 could not check. */
export const EXIT = { intact: 0, tampered: 1, error: 2 } as const;

// TODO(i18n): move these two lines into src/i18n/messages.ts (keys audit.verify.*) when its owner takes them;
// a terminal has no language preference, so the operator gets both.
const summary = (result: AuditVerification, head: { seq: number; hash: string }): string =>
  result.ok
    ? `Audit trail intact: ${result.count} records, head ${head.seq} ${head.hash} / ` +
      `Jejak audit utuh: ${result.count} catatan, kepala ${head.seq} ${head.hash}`
    : `Audit trail TAMPERED at record ${result.firstBadSeq} (${result.reason}); ${result.count} records before it are intact / ` +
      `Jejak audit DIUBAH pada catatan ${result.firstBadSeq} (${result.reason}); ${result.count} catatan sebelumnya utuh`;

/** Verifies the audit chain of the configured database and returns the exit code. */
export const runAuditVerify = async (env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  let knex: Knex | undefined;
  try {
    const config = loadConfig(env);
    knex = createKnex(config);
    await migrate(knex);
    const audit = createAuditService({ knex, clock: systemClock, logger: createLogger(config.logLevel) });
    const result = await audit.verify();
    // Printing the head lets an operator compare it with one anchored earlier outside the database.
    console.log(summary(result, await audit.head()));
    return result.ok ? EXIT.intact : EXIT.tampered;
  } catch (err) {
    console.error(`Audit trail could not be verified / Jejak audit tidak dapat diperiksa: ${(err as Error).message}`);
    return EXIT.error;
  } finally {
    await knex?.destroy();
  }
};

// Run only when executed directly, so tests and other tools can import `runAuditVerify`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runAuditVerify();
