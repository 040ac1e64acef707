import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { createAuditRepo, type AuditRepo, type AuditRow } from '../../src/audit/audit.repo.ts';
import { createAuditService, hashRecord, type AuditService } from '../../src/audit/audit.service.ts';
import { runArchive, type ArchiveOptions } from '../../src/audit/archive.ts';
import { checkpointKey } from '../../src/audit/checkpoints.ts';
import { startPostgres, type PostgresService } from '../support/postgres.ts';

export const DAY = 86_400_000;
/** "Now" for every retention test; records are seeded relative to it. */
export const NOW = new Date('2031-06-01T02:00:00.000Z');

/** A fresh, migrated database per test (the PostgreSQL triggers forbid emptying the trail), and its archive dir. */
export interface RetentionBackend {
  name: 'SQLite' | 'PostgreSQL';
  start(ctx: Mocha.Context): Promise<void>;
  fresh(): Promise<{ knex: Knex; url?: string }>;
  stop(): Promise<unknown>;
}

export const backends = (): RetentionBackend[] => {
  const dir = mkdtempSync(join(tmpdir(), 'retention-'));
  let n = 0;
  let server: PostgresService | undefined;
  const drops: Array<() => Promise<void>> = [];
  const open = async (env: Record<string, string>) => {
    const knex = createKnex(loadConfig(env));
    await migrate(knex);
    return knex;
  };
  return [
    {
      name: 'SQLite',
      start: async () => undefined,
      fresh: async () => ({ knex: await open({ SATU_AKUN_DATA_DIR: dir, SATU_AKUN_DB_FILE: `r${n++}.sqlite` }) }),
      stop: async () => rmSync(dir, { recursive: true, force: true }),
    },
    {
      name: 'PostgreSQL',
      start: async (ctx) => void (server = await startPostgres(ctx)),
      fresh: async () => {
        const db = await server!.createDatabase();
        drops.push(db.drop);
        return { knex: await open({ SATU_AKUN_DB_CLIENT: 'pg', SATU_AKUN_DB_URL: db.url, SATU_AKUN_DB_POOL_MAX: '8' }), url: db.url };
      },
      stop: () => Promise.all(drops.map((drop) => drop())),
    },
  ];
};

/** The audit service with a clock the test moves. */
export const world = (knex: Knex) => {
  const clock = { at: NOW, now: () => clock.at };
  const repo: AuditRepo = createAuditRepo(knex);
  // The checkpoint key signs each archive's row; verify refuses to start after one it did not sign.
  const key = checkpointKey(Buffer.alloc(32, 5).toString('base64url'));
  const audit: AuditService = createAuditService({ repo, clock, logger: pino({ level: 'silent' }), anchorKey: key });
  const dir = mkdtempSync(join(tmpdir(), 'retention-archive-'));
  /** One run; the usage reports have counted the whole trail (as their timer sees to) unless `reportsAt` says less. */
  const archive = async (more: Partial<ArchiveOptions> & { reportsAt?: number } = {}) => {
    const { reportsAt, ...options } = more;
    const head = Number(((await knex('audit_head').where({ id: 1 }).first('seq')) as { seq: number | string }).seq);
    await knex('report_cursor').update({ seq: reportsAt ?? head });
    return runArchive({ knex, repo, audit, clock, dir, retentionDays: 1826, pauseMs: 0, key, ...options });
  };
  return { clock, repo, audit, dir, archive, key };
};

/**
 * Appends `count` sign-in records, one every `stepMs` from `from`, through the real chain rule; in bulk (500 rows per
 * INSERT) so thousands are seeded quickly, with the head moved in the same transaction as the service does.
 */
export const seed = async (knex: Knex, count: number, from: Date, stepMs = 60_000): Promise<void> => {
  await knex.transaction(async (trx) => {
    const head = await trx('audit_head').where({ id: 1 }).first('seq', 'hash');
    let prev = { seq: Number(head.seq), hash: head.hash as string };
    let rows: AuditRow[] = [];
    for (let i = 0; i < count; i++) {
      const unsealed = { seq: prev.seq + 1, at: new Date(from.getTime() + i * stepMs).toISOString(), event: 'signin.success', actor: `sub-${i % 7}`, subject: null, client_id: 'simpeg', ip: '10.0.0.7', details: '{"acr":"urn:satu-akun:loa:1"}', prev_hash: prev.hash };
      const row = { ...unsealed, hash: hashRecord(unsealed) };
      rows.push(row);
      prev = { seq: row.seq, hash: row.hash };
      if (rows.length === 500 || i === count - 1) {
        await trx('audit_log').insert(rows);
        rows = [];
      }
    }
    await trx('audit_head').where({ id: 1 }).update({ seq: prev.seq, hash: prev.hash });
  });
};

export const seqs = async (knex: Knex): Promise<number[]> => (await knex('audit_log').orderBy('seq').pluck('seq')).map(Number);
