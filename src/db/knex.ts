import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../config/schema.ts';
import { migrationSource } from '../../migrations/source.ts';

const require = createRequire(import.meta.url);

/**
 * The SQLite driver for this Node.js: better-sqlite3 13 (N-API) on Node 22+, 12 on Node 20. On Node 24.19+ the
 * 12.x line can abort the process when garbage collection finalises a statement outside a JavaScript context;
 * 13 fixes that but does not run on Node 20. Drop 12 when Node 20 support ends.
 */
const sqliteClient = () => {
  const BetterSqlite3Client = require('knex/lib/dialects/better-sqlite3') as new (config: unknown) => object;
  const driver = Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-13' : 'better-sqlite3';
  return class extends BetterSqlite3Client {
    _driver() {
      return require(driver) as unknown;
    }
  };
};

/** Creates the knex instance for the configured database; opens no connection until first use. */
export const createKnex = (config: Config): Knex => {
  const db = config.database;
  if (db.client === 'pg') {
    return knexFactory({ client: 'pg', connection: db.url, pool: { min: 0, max: db.poolMax } });
  }
  const filename = db.filename === ':memory:' || isAbsolute(db.filename) ? db.filename : join(config.dataDir, db.filename);
  if (filename !== ':memory:') mkdirSync(join(filename, '..'), { recursive: true });
  return knexFactory({
    client: sqliteClient() as unknown as typeof knexFactory.Client,
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // WAL lets readers proceed during a write; busy_timeout waits for a lock instead of failing at once.
      afterCreate: (conn: { pragma: (s: string) => void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  });
};

/**
 * Brings the schema up to date. Reads first and runs knex's `latest` (which takes the migration lock, an UPDATE) only
 * when something is pending, so a service role with SELECT alone on the knex tables starts on a current schema.
 */
export const migrate = async (knex: Knex): Promise<string[]> => {
  const [, pending] = (await knex.migrate.list({ migrationSource })) as [unknown[], unknown[]];
  if (!pending.length) return [];
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
};

/** SQLite returns timestamps as strings or numbers, PostgreSQL as Date objects: repositories normalise with this. */
export const toDate = (value: unknown): Date | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const s = String(value);
  return new Date(/Z|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
};

/**
 * Serialises transactions that check-then-write the same thing (a duplicate grant, a cycle of parents): on PostgreSQL
 * a transaction-scoped advisory lock on `key`; SQLite runs one write transaction at a time already.
 */
export const lockFor = async (trx: Knex.Transaction, key: string): Promise<void> => {
  if (trx.client.dialect === 'postgresql') await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key]);
};

/**
 * Whether a statement failed because of what it wrote (a foreign key, a unique or check constraint), which writing
 * it again cannot fix, rather than because of the database (down, timed out): PostgreSQL's class 23, SQLite's
 * SQLITE_CONSTRAINT codes.
 */
export const isConstraintViolation = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^23[0-9A-Z]{3}$/.test(code) || code.startsWith('SQLITE_CONSTRAINT'));
};

/** Bumped when a prepared statement's result columns changed under it: every name then prepares afresh. */
let statements = 0;

/**
 * Runs `query` and, on PostgreSQL, as a named prepared statement: each pooled connection parses and plans its text
 * once instead of at every call. For the statements of every sign-in, whose text is long and whose work is small,
 * that is most of PostgreSQL's time (a returning sign-in's statement: 0.87 → 0.34 ms of its CPU). The name is a hash
 * of the text. A statement that returns a table's `*` fails once the table gains a column (a migration during a
 * rolling upgrade: "cached plan must not change result type"); it is then run again under a new name, prepared on
 * the new table; not inside a transaction, which the failure has aborted. SQLite runs it as is.
 */
export const prepared = async <T = unknown>(query: Knex.Raw<T> | Knex.QueryBuilder): Promise<T> => {
  const { client } = query as unknown as { client: Knex.Client & { transacting?: boolean } };
  if (client.dialect !== 'postgresql') return (await query) as T;
  const hash = createHash('sha256').update(query.toSQL().sql).digest('base64url').slice(0, 22);
  const run = (generation: number) => query.options({ name: `satu_${generation}_${hash}` }) as unknown as Promise<T>;
  const generation = statements;
  try {
    return await run(generation);
  } catch (err) {
    // In a transaction the failure aborted it: running the statement again there could only hide the reason.
    if (client.transacting || (err as { code?: string }).code !== '0A000' || !/cached plan must not change result type/.test(String((err as Error).message))) throw err;
    if (statements === generation) statements++;
    return await run(statements);
  }
};

/** Health probe for SQL. */
export const checkKnex = async (knex: Knex): Promise<void> => {
  await knex.raw('select 1');
};
