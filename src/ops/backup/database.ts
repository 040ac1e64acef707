import { existsSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { createKnex } from '../../db/knex.ts';
import { BackupError } from './errors.ts';
import { pgDump, pgRestore } from './pg-tools.ts';

/** The database's name inside the archive, by client. */
export const DATABASE_ENTRY = { sqlite: 'database.sqlite', pg: 'database.pgdump' } as const;

/** The SQLite file of `config`, resolved as `createKnex` resolves it (relative paths are under the data directory). */
export const sqliteFile = (config: Config): string => {
  const { filename } = config.database;
  if (filename === ':memory:') throw new BackupError('backup.memory_database', {}, 2);
  return isAbsolute(filename) ? filename : join(config.dataDir, filename);
};

/** The parts of a better-sqlite3 connection used here. */
interface RawSqlite {
  backup(destination: string): Promise<unknown>;
  prepare(sql: string): { pluck(): { get(): unknown } };
}

/** Runs `use` on a better-sqlite3 connection to `file`, through knex so the driver is the one the service runs on. */
const withSqlite = async <T>(config: Config, file: string, use: (db: RawSqlite) => Promise<T>): Promise<T> => {
  const knex = createKnex({ ...config, database: { ...config.database, client: 'sqlite', filename: file } });
  try {
    const db = (await knex.client.acquireConnection()) as RawSqlite;
    try {
      return await use(db);
    } finally {
      await knex.client.releaseConnection(db);
    }
  } finally {
    await knex.destroy();
  }
};

/**
 * Writes a consistent copy of the configured database to `file`: SQLite through its online backup API (the service
 * keeps running; WAL lets it write meanwhile), PostgreSQL through pg_dump (one snapshot transaction).
 */
export const dumpDatabase = async (config: Config, file: string): Promise<void> => {
  if (config.database.client === 'pg') return pgDump(config.database.url!, file);
  const source = sqliteFile(config);
  if (!existsSync(source)) throw new BackupError('backup.no_database', { file: source }, 1);
  await withSqlite(config, source, (db) => db.backup(file));
};

/** How many tables the configured database holds (a file that does not exist yet holds none, and is not created). */
export const tableCount = async (config: Config): Promise<number> => {
  if (config.database.client === 'sqlite') {
    const file = sqliteFile(config);
    if (!existsSync(file)) return 0;
    return withSqlite(config, file, async (db) => Number(db.prepare("select count(*) from sqlite_master where type = 'table' and name not like 'sqlite_%'").pluck().get()));
  }
  const knex = createKnex(config);
  try {
    const rows = await knex('pg_catalog.pg_tables').whereNotIn('schemaname', ['pg_catalog', 'information_schema']).count({ n: '*' });
    return Number(rows[0]?.n ?? 0);
  } finally {
    await knex.destroy();
  }
};

/**
 * Loads the archived database `file` into the configured (empty) database. SQLite: the archived file is checked
 * (`integrity_check`) and copied in through the backup API; PostgreSQL: pg_restore in one transaction.
 */
export const loadDatabase = async (config: Config, file: string): Promise<void> => {
  if (config.database.client === 'pg') return pgRestore(config.database.url!, file);
  const target = sqliteFile(config);
  mkdirSync(dirname(target), { recursive: true });
  await withSqlite(config, file, async (db) => {
    const integrity = String(db.prepare('pragma integrity_check').pluck().get());
    if (integrity !== 'ok') throw new BackupError('restore.database_corrupt', { message: integrity }, 3);
    await db.backup(target);
  });
};
