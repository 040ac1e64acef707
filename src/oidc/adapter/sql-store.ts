import type { Knex } from 'knex';
import { prepared } from '../../db/knex.ts';

const TABLE = 'oidc_payloads';

/** A row of `oidc_payloads` as written; times are epoch milliseconds (how knex stores Dates in SQLite too). */
export interface PayloadRow {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  /** The person a Session or Grant belongs to (ACCOUNT_INDEXED_MODELS); null for other models. */
  account_id: string | null;
  expires_at: number | null;
}

/** What a read returns: the payload and when it was consumed (a Date on PostgreSQL, milliseconds on SQLite). */
export interface StoredPayload {
  payload: string;
  consumed_at: unknown;
}

/** One page of an account's rows and the number of its live rows in all. */
export interface AccountRows {
  total: number;
  rows: (StoredPayload & { id: string })[];
}

export type LookupColumn = 'id' | 'uid' | 'user_code';

/** The statements the oidc-provider adapter needs, and nothing else. */
export interface PayloadStore {
  upsert(row: PayloadRow): Promise<void>;
  /** The live (unexpired at `now`) row of `model` whose `column` equals `value`. */
  find(model: string, column: LookupColumn, value: string, now: number): Promise<StoredPayload | undefined>;
  /** Marks the live, unconsumed entry consumed; false when it was consumed, removed or expired already (a lost race). */
  consume(model: string, id: string, now: number): Promise<boolean>;
  /** The grant an entry belongs to, consumed or not. */
  grantOf(model: string, id: string): Promise<string | null>;
  /**
   * One page of the live rows of `model` for `accountId`: latest `expires_at` first, rows that never expire before
   * all others, then by id; and the number of live rows in all.
   */
  byAccount(model: string, accountId: string, now: number, page: { offset: number; limit: number }): Promise<AccountRows>;
  destroy(model: string, id: string): Promise<void>;
  revokeGrant(grantId: string): Promise<void>;
  prune(now: number): Promise<number>;
}

/**
 * The portable store, through knex's query builder (PostgreSQL). The statements every request runs are prepared
 * (src/db/knex.ts): a `find` costs PostgreSQL about a third of the CPU that parsing and planning it each time did.
 */
export const knexPayloadStore = (knex: Knex): PayloadStore => ({
  async upsert(row) {
    const expires = row.expires_at === null ? null : new Date(row.expires_at);
    // A rewritten entry is a new entry: it starts unconsumed, as in the memory adapter.
    await prepared(knex(TABLE).insert({ ...row, expires_at: expires, consumed_at: null }).onConflict(['model', 'id']).merge());
  },
  find: (model, column, value, now) =>
    prepared<StoredPayload | undefined>(
      knex(TABLE)
        .first('payload', 'consumed_at')
        .where({ model, [column]: value })
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', new Date(now))),
    ),
  async consume(model, id, now) {
    // One conditional statement: of N concurrent redemptions exactly one updates the row.
    const changed = await prepared<number>(
      knex(TABLE)
        .where({ model, id })
        .whereNull('consumed_at')
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', new Date(now)))
        .update({ consumed_at: new Date(now) }),
    );
    return changed === 1;
  },
  async grantOf(model, id) {
    const row = await knex(TABLE).first('grant_id').where({ model, id });
    return (row?.grant_id as string | null | undefined) ?? null;
  },
  async byAccount(model, accountId, now, { offset, limit }) {
    const live = () =>
      knex(TABLE)
        .where({ account_id: accountId, model })
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', new Date(now)));
    const [rows, counted] = await Promise.all([
      live()
        .select('id', 'payload', 'consumed_at')
        .orderBy([{ column: 'expires_at', order: 'desc', nulls: 'first' }, 'id'])
        .limit(limit)
        .offset(offset),
      live().count({ n: '*' }).first(),
    ]);
    // PostgreSQL returns count(*) as a bigint string.
    return { total: Number(counted?.n ?? 0), rows };
  },
  async destroy(model, id) {
    await prepared(knex(TABLE).where({ model, id }).del());
  },
  async revokeGrant(grantId) {
    await knex(TABLE).where('grant_id', grantId).del();
  },
  prune: (now) =>
    inBatches(async () => {
      const done = (await knex.raw(`delete from ${TABLE} where (model, id) in (select model, id from ${TABLE} where expires_at <= ? limit ?)`, [new Date(now), PRUNE_BATCH])) as { rowCount: number };
      return done.rowCount;
    }),
});

/**
 * Expired rows deleted per statement. A day of sign-ins leaves tens of thousands; deleting them in one statement held
 * SQLite's synchronous driver, and with it every request, for seconds (seen in `npm run bench:soak`).
 */
export const PRUNE_BATCH = 500;

/** Runs `batch` until it deletes fewer than a full batch, letting other requests run in between; the total deleted. */
const inBatches = async (batch: () => Promise<number>): Promise<number> => {
  let total = 0;
  for (;;) {
    const deleted = await batch();
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
};

interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): Statement;
}

const SQLITE: Record<string, string> = {
  upsert: `insert into ${TABLE} (model, id, payload, grant_id, user_code, uid, account_id, expires_at, consumed_at) values (?, ?, ?, ?, ?, ?, ?, ?, null)
    on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
    uid = excluded.uid, account_id = excluded.account_id, expires_at = excluded.expires_at, consumed_at = null`,
  find_id: `select payload, consumed_at from ${TABLE} where model = ? and id = ? and (expires_at is null or expires_at > ?)`,
  find_uid: `select payload, consumed_at from ${TABLE} where model = ? and uid = ? and (expires_at is null or expires_at > ?)`,
  find_user_code: `select payload, consumed_at from ${TABLE} where model = ? and user_code = ? and (expires_at is null or expires_at > ?)`,
  consume: `update ${TABLE} set consumed_at = ? where model = ? and id = ? and consumed_at is null and (expires_at is null or expires_at > ?)`,
  grant_of: `select grant_id from ${TABLE} where model = ? and id = ?`,
  // SQLite sorts nulls as the smallest value, so descending order needs an explicit NULLS FIRST.
  by_account: `select id, payload, consumed_at from ${TABLE} where account_id = ? and model = ? and (expires_at is null or expires_at > ?)
    order by expires_at desc nulls first, id limit ? offset ?`,
  count_by_account: `select count(*) as n from ${TABLE} where account_id = ? and model = ? and (expires_at is null or expires_at > ?)`,
  destroy: `delete from ${TABLE} where model = ? and id = ?`,
  revoke: `delete from ${TABLE} where grant_id = ?`,
  prune: `delete from ${TABLE} where rowid in (select rowid from ${TABLE} where expires_at <= ? limit ?)`,
};

/**
 * The same statements on SQLite, prepared once per connection and reused: the sign-in path runs about twenty of
 * them, and building and preparing each query anew was a large share of a sign-in's CPU (see bench/README.md).
 * Runs on knex's own connection, so transactions and the single-writer pool still apply.
 */
export const sqlitePayloadStore = (knex: Knex): PayloadStore => {
  const prepared = new WeakMap<SqliteConnection, Map<string, Statement>>();
  const run = async <T>(name: string, use: (statement: Statement) => T): Promise<T> => {
    const connection = (await knex.client.acquireConnection()) as SqliteConnection;
    try {
      let statements = prepared.get(connection);
      if (!statements) prepared.set(connection, (statements = new Map()));
      let statement = statements.get(name);
      if (!statement) statements.set(name, (statement = connection.prepare(SQLITE[name]!)));
      return use(statement);
    } finally {
      await knex.client.releaseConnection(connection);
    }
  };
  return {
    upsert: (r) => run('upsert', (s) => void s.run(r.model, r.id, r.payload, r.grant_id, r.user_code, r.uid, r.account_id, r.expires_at)),
    find: (model, column, value, now) => run(`find_${column}`, (s) => s.get(model, value, now) as StoredPayload | undefined),
    consume: (model, id, now) => run('consume', (s) => s.run(now, model, id, now).changes === 1),
    grantOf: (model, id) => run('grant_of', (s) => (s.get(model, id) as { grant_id: string | null } | undefined)?.grant_id ?? null),
    byAccount: async (model, accountId, now, { offset, limit }) => ({
      total: await run('count_by_account', (s) => (s.get(accountId, model, now) as { n: number }).n),
      rows: await run('by_account', (s) => s.all(accountId, model, now, limit, offset) as AccountRows['rows']),
    }),
    destroy: (model, id) => run('destroy', (s) => void s.run(model, id)),
    revokeGrant: (grantId) => run('revoke', (s) => void s.run(grantId)),
    prune: (now) => inBatches(() => run('prune', (s) => s.run(now, PRUNE_BATCH).changes)),
  };
};
