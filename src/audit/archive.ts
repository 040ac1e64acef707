import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditHead, AuditRepo, AuditRow } from './audit.repo.ts';
import { GENESIS_HASH, hashRecord, type AuditService } from './audit.service.ts';
import { ARCHIVE_FORMAT, archiveFileName, ArchiveRefused, checkArchiveFile, writeArchiveFile } from './archive-file.ts';
import { takeArchiveLock } from './archive-lock.ts';
import type { KeyObject } from 'node:crypto';
import { signArchiveAnchor } from './checkpoints.ts';

export { ArchiveRefused };

declare module './audit.service.ts' {
  interface AuditEventDetails {
    /** `audit archive` moved records `fromSeq`–`toSeq` to `file` (no actor: the operators' command or its timer). */
    'audit.archived': { fromSeq: number; toSeq: number; records: number; file: string; sha256: string };
  }
}

/** Where archive files go: SATU_AKUN_AUDIT_ARCHIVE_DIR, or `audit-archive` in the data directory. */
export const archiveDir = (config: Config): string => config.auditRetention.archiveDir ?? join(config.dataDir, 'audit-archive');

export interface ArchiveOptions {
  knex: Knex;
  repo: AuditRepo;
  audit: AuditService;
  clock: Clock;
  dir: string;
  retentionDays: number;
  /** The audit checkpoint key (private): signs the archive's row, which `verify` then trusts as its starting point. */
  key: KeyObject;
  dryRun?: boolean;
  /** Rows per DELETE, each its own short transaction, so appenders never wait long. */
  batchSize?: number;
  /** Pause between DELETE batches, leaving room for other writers (SQLite has one write lock). */
  pauseMs?: number;
}

/** `cutoff`: records before it are due. `resumed`: rows of an earlier, interrupted run deleted first. */
export type ArchiveOutcome = { cutoff: string; resumed: number } & (
  | { kind: 'nothing' }
  /** Records up to `due` are old enough, but the usage reports have counted only up to `counted` (at most that goes). */
  | { kind: 'waiting'; due: number; counted: number }
  | { kind: 'planned'; fromSeq: number; toSeq: number; count: number; file: string }
  | { kind: 'archived'; fromSeq: number; toSeq: number; count: number; file: string; sha256: string; deleted: number }
);

/**
 * Deletes the rows with `from` ≤ seq ≤ `upTo` in batches of `size`, each one statement (its own transaction),
 * pausing between them. On PostgreSQL the trigger of migration 016 lets through only rows at or below an archive's
 * recorded to_seq, so this can never remove a record that is not in a checked archive file.
 */
const deleteArchived = async (knex: Knex, from: number, upTo: number, size: number, pauseMs: number): Promise<number> => {
  let deleted = 0;
  for (let lo = from; lo <= upTo; lo += size) {
    deleted += await knex('audit_log').where('seq', '>=', lo).andWhere('seq', '<', lo + size).andWhere('seq', '<=', upTo).delete();
    if (pauseMs && lo + size <= upTo) await sleep(pauseMs);
  }
  return deleted;
};

/** Rows already archived but still in the table: a run interrupted while deleting. Finishes it. */
const resume = async (knex: Knex, anchor: AuditHead | undefined, size: number, pauseMs: number): Promise<number> => {
  if (!anchor) return 0;
  const oldest = await knex('audit_log').where('seq', '<=', anchor.seq).min({ seq: 'seq' }).first();
  return oldest?.seq == null ? 0 : deleteArchived(knex, Number(oldest.seq), anchor.seq, size, pauseMs);
};

/**
 * The rows of the range, in batches, checked as they are read (consecutive, each hash right, each linked to the one
 * before), so a tampered range is refused rather than archived and deleted.
 */
async function* checkedRows(repo: AuditRepo, start: AuditHead, toSeq: number): AsyncGenerator<AuditRow[]> {
  let prev = start;
  for await (const batch of repo.batches(toSeq, 1000, start.seq)) {
    for (const row of batch) {
      if (row.seq !== prev.seq + 1) throw new ArchiveRefused('archive.chain_broken', { seq: prev.seq + 1, reason: 'missing_record' });
      if (hashRecord(row) !== row.hash) throw new ArchiveRefused('archive.chain_broken', { seq: row.seq, reason: 'hash_mismatch' });
      if (row.prev_hash !== prev.hash) throw new ArchiveRefused('archive.chain_broken', { seq: row.seq, reason: 'chain_broken' });
      prev = { seq: row.seq, hash: row.hash };
    }
    yield batch;
  }
  if (prev.seq !== toSeq) throw new ArchiveRefused('archive.chain_broken', { seq: prev.seq + 1, reason: 'missing_record' });
}

/**
 * One retention run (README "How long records are kept"): finishes an interrupted run, then moves the records older
 * than the retention period, from the oldest remaining one up to the last such seq, to one archive file; the file is
 * written, read back and checked, recorded in `audit_archives`, and only then are the rows deleted, in batches.
 */
export const runArchive = async (o: ArchiveOptions): Promise<ArchiveOutcome> => {
  const size = o.batchSize ?? 1000;
  const pauseMs = o.pauseMs ?? 20;
  const cutoff = new Date(o.clock.now().getTime() - o.retentionDays * 86_400_000).toISOString();
  if (!o.dryRun) mkdirSync(o.dir, { recursive: true, mode: 0o750 });
  const release = o.dryRun ? () => undefined : takeArchiveLock(o.dir);
  try {
    const anchor = await o.repo.archivedUpTo();
    const resumed = o.dryRun ? 0 : await resume(o.knex, anchor, size, pauseMs);
    const start = anchor ?? { seq: 0, hash: GENESIS_HASH };
    // `at` is ISO-8601 UTC text of fixed width, so text order is time order.
    const due = await o.knex('audit_log').where('seq', '>', start.seq).andWhere('at', '<', cutoff).max({ seq: 'seq' }).first();
    // Never past what the usage reports have counted: their figures outlive the records only once they are in them.
    const counted = await o.knex('report_cursor').min({ seq: 'seq' }).first();
    if (due?.seq == null) return { kind: 'nothing', cutoff, resumed };
    const upTo = Math.min(Number(due.seq), counted?.seq == null ? Infinity : Number(counted.seq));
    if (upTo <= start.seq) return { kind: 'waiting', cutoff, resumed, due: Number(due.seq), counted: Number(counted!.seq) };
    const fromSeq = start.seq + 1;
    const toSeq = upTo;
    const file = archiveFileName(fromSeq, toSeq);
    const count = toSeq - fromSeq + 1;
    if (o.dryRun) return { kind: 'planned', cutoff, resumed, fromSeq, toSeq, count, file };

    const last = await o.knex('audit_log').where({ seq: toSeq }).first('hash');
    const header = { format: ARCHIVE_FORMAT, createdAt: o.clock.now().toISOString(), fromSeq, toSeq, prevHash: start.hash, head: { seq: toSeq, hash: last.hash as string } } as const;
    const path = join(o.dir, file);
    await writeArchiveFile(path, header, checkedRows(o.repo, start, toSeq));
    const checked = await checkArchiveFile(path).catch((err: Error) => {
      throw new ArchiveRefused('archive.file_bad', { file: path, problem: err.message });
    });
    if (checked.header.fromSeq !== fromSeq || checked.header.toSeq !== toSeq || checked.header.prevHash !== start.hash) {
      throw new ArchiveRefused('archive.file_bad', { file: path, problem: 'the header does not name the range written' });
    }
    // Recorded before any delete: from here on the trigger (PostgreSQL) allows deleting the range, and a re-run resumes.
    await o.knex('audit_archives').insert({
      from_seq: fromSeq,
      to_seq: toSeq,
      prev_hash: start.hash,
      last_hash: header.head.hash,
      sig: signArchiveAnchor(o.key, { fromSeq, toSeq, prevHash: start.hash, lastHash: header.head.hash }),
      record_count: count,
      file_name: file,
      file_sha256: checked.sha256,
      created_at: header.createdAt,
    });
    await o.audit.record({ event: 'audit.archived', details: { fromSeq, toSeq, records: count, file, sha256: checked.sha256 } });
    const deleted = await deleteArchived(o.knex, fromSeq, toSeq, size, pauseMs);
    return { kind: 'archived', cutoff, resumed, fromSeq, toSeq, count, file: path, sha256: checked.sha256, deleted };
  } finally {
    release();
  }
};
