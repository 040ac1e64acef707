import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { loadConfig } from '../config/load.ts';
import { createKnex, migrate } from '../db/knex.ts';
import { createLogger } from '../shared/logger.ts';
import { systemClock } from '../shared/clock.ts';
import { createAuditService, type AuditVerification } from '../audit/audit.service.ts';
import { createAuditRepo } from '../audit/audit.repo.ts';
import { bilingual } from '../i18n/index.ts';
import { auditCheckpointSeed, checkpointFile } from '../app/secrets.ts';
import { checkpointKey, checkpointPublicKey, checkpointSigned, latestCheckpoint } from '../audit/checkpoints.ts';
import { verifyFile, type FileVerification } from '../audit/file-verify.ts';

/**
 * The lines `audit verify` prints about archiving: where the walk started, and a checkpoint that names an archived
 * record (not tampering; only the archive file can be checked against it).
 */
export const archiveNotes = (result: AuditVerification, checkpointSeq?: number): string[] => [
  ...(result.archivedUpTo ? [bilingual('audit.archive_anchor', { seq: result.archivedUpTo.seq, hash: result.archivedUpTo.hash })] : []),
  ...(result.checkpointArchived && checkpointSeq !== undefined ? [bilingual('audit.checkpoint_archived', { seq: checkpointSeq })] : []),
];

/** Exit codes, for cron jobs and monitoring: 0 intact, 1 tampered, 2 could not check. */
export const EXIT = { intact: 0, tampered: 1, error: 2 } as const;

const summary = (result: AuditVerification, head: { seq: number; hash: string }): string =>
  result.ok
    ? bilingual('audit.intact', { count: result.count, seq: head.seq, hash: head.hash })
    : bilingual('audit.tampered', { seq: result.firstBadSeq, reason: result.reason, count: result.count });

/** What a file's check printed: the records, their range, the gaps a filtered export has, and the verdict. */
const fileReport = (file: string, r: FileVerification): string[] => {
  const out = [bilingual('auditview.file.read', { file, count: r.count, format: r.format ?? '-', first: r.first ?? '-', last: r.last ?? '-' })];
  if (r.head) out.push(bilingual('auditview.file.head', { seq: r.head.seq, hash: r.head.hash }));
  if (r.gaps.length) {
    const missing = r.gaps.reduce((n, g) => n + g.to - g.from + 1, 0);
    const shown = r.gaps.slice(0, 20).map((g) => (g.from === g.to ? `${g.from}` : `${g.from}-${g.to}`)).join(', ');
    out.push(bilingual('auditview.file.gaps', { gaps: r.gaps.length, missing, list: `${shown}${r.gaps.length > 20 ? ', …' : ''}` }));
  }
  const p = r.problem;
  if (!p) out.push(bilingual('auditview.file.intact', { count: r.count }));
  else if (p.kind === 'tampered') out.push(bilingual('auditview.file.tampered', { line: p.line, seq: p.seq, reason: p.reason }));
  else out.push(bilingual('auditview.file.unreadable', { line: p.line, reason: p.reason }));
  return out;
};

/** `--file F`: verifies an export or archive file offline, with no database and no configuration. */
const runFileVerify = async (file: string): Promise<number> => {
  const result = await verifyFile(file);
  for (const line of fileReport(file, result)) console.log(line);
  return !result.problem ? EXIT.intact : result.problem.kind === 'tampered' ? EXIT.tampered : EXIT.error;
};

/** Verifies the audit chain of the configured database (or, with `--file`, an exported file) and returns the exit code. */
export const runAuditVerify = async (args: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const fileAt = args.indexOf('--file');
  if (fileAt >= 0) {
    const file = args[fileAt + 1];
    if (!file) {
      console.error(bilingual('auditview.file.usage'));
      return EXIT.error;
    }
    return runFileVerify(file);
  }
  let knex: Knex | undefined;
  try {
    const config = loadConfig(env);
    knex = createKnex(config);
    await migrate(knex);
    // A verifier holds the public key only; without one configured, it is derived from the signing seed.
    const key = config.auditCheckpoint.publicKey ? checkpointPublicKey(config.auditCheckpoint.publicKey) : checkpointKey(auditCheckpointSeed(config));
    const audit = createAuditService({ repo: createAuditRepo(knex), clock: systemClock, logger: createLogger(config.logLevel), anchorKey: key });
    // The latest signed checkpoint, written outside the database: a cut or recomputed chain no longer matches it.
    // `--checkpoints FILE`: a copy kept elsewhere (shipped by syslog, say); `--require-checkpoint`: none is tampering.
    const at = args.indexOf('--checkpoints');
    const file = at >= 0 && args[at + 1] ? args[at + 1]! : checkpointFile(config);
    const checkpoint = latestCheckpoint(file);
    if (!checkpoint && args.includes('--require-checkpoint')) {
      console.log(bilingual('audit.no_checkpoint', { file }));
      return EXIT.tampered;
    }
    if (checkpoint && !checkpointSigned(key, checkpoint)) {
      console.log(bilingual('audit.checkpoint_forged', { file }));
      return EXIT.tampered;
    }
    const result = await audit.verify(checkpoint);
    // Printing the head lets an operator compare it with one anchored earlier outside the database.
    console.log(summary(result, await audit.head()));
    for (const line of archiveNotes(result, checkpoint?.seq)) console.log(line);
    console.log(checkpoint ? bilingual('audit.checkpoint', { seq: checkpoint.seq, at: checkpoint.at }) : bilingual('audit.no_checkpoint', { file }));
    return result.ok ? EXIT.intact : EXIT.tampered;
  } catch (err) {
    console.error(bilingual('audit.error', { message: (err as Error).message }));
    return EXIT.error;
  } finally {
    await knex?.destroy();
  }
};

// Run only when executed directly, so tests and other tools can import `runAuditVerify`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await runAuditVerify();
