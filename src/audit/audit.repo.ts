import type { Knex } from 'knex';
import { prepared } from '../db/knex.ts';
import type { ArchiveAnchor } from './checkpoints.ts';

/** One stored audit record, as the table holds it (details as the exact JSON text that was hashed). */
export interface AuditRow {
  seq: number;
  at: string;
  event: string;
  actor: string | null;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

/** What the appender supplies; the repository assigns seq and prev_hash under the lock. */
export type NewAuditRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

/** The latest seq and hash, kept in `audit_head` in step with the chain. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Filters for auditor views; all optional. `from` is inclusive, `to` exclusive. */
export interface AuditFilter {
  event?: string | string[];
  actor?: string;
  /** Records where one of these is the actor or the subject (a person's own trail: `sub`, `directory:<id>`). */
  involving?: string[];
  clientId?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
  /** Records older than this seq only: the cursor of a page that goes on from the last one shown. */
  beforeSeq?: number;
}

const MAX_LIMIT = 1000;

/** Who a record appended with a change names, as columns of the row the change returned (known only then). */
export interface FromChange {
  actor?: string;
  subject?: string;
}

/** JSON text of an SQL text value, as JSON.stringify writes a string or null (PostgreSQL escapes as it does). */
const json = (expr: string) => `coalesce(to_json(${expr})::text, 'null')`;

// PostgreSQL returns bigint columns as strings; seqs stay far below 2^53.
const toRow = (raw: Record<string, unknown>): AuditRow => ({ ...(raw as unknown as AuditRow), seq: Number(raw.seq) });
const toHead = (raw: { seq: unknown; hash: string } | undefined): AuditHead => {
  if (!raw) throw new Error('audit_head row is missing: run the migrations');
  return { seq: Number(raw.seq), hash: raw.hash };
};

/** SQL for the audit trail; the hashing rule comes from the caller as `seal`. */
export const createAuditRepo = (knex: Knex) => {
  /** Appends inside `trx`: the lock, the read of the head, the insert and the head update are one unit. */
  const appendIn = async (trx: Knex.Transaction, entry: NewAuditRow, seal: (row: Omit<AuditRow, 'hash'>) => string) => {
    // A write first: on PostgreSQL it takes the head's row lock, so concurrent appenders (any instance) queue
    // here and each then reads the head its predecessor committed; on SQLite it takes the write lock at once,
    // waiting under busy_timeout, rather than failing later on a read-to-write upgrade.
    // The same statement reads the head it locked (RETURNING), so an append is two round trips on PostgreSQL.
    const [locked] = (await trx('audit_head').where({ id: 1 }).update({ seq: trx.ref('seq') }).returning(['seq', 'hash'])) as { seq: unknown; hash: string }[];
    const head = toHead(locked);
    const unsealed = { seq: head.seq + 1, ...entry, prev_hash: head.hash };
    const row: AuditRow = { ...unsealed, hash: seal(unsealed) };
    const moveHead = trx('audit_head').where({ id: 1 });
    // PostgreSQL inserts the record and moves the head in one statement (a data-modifying WITH); SQLite has no such
    // statement, and its statements cost no round trip.
    const moved = { seq: row.seq, hash: row.hash, prev_hash: row.prev_hash };
    if (trx.client.dialect === 'postgresql') await moveHead.with('record', trx('audit_log').insert(row)).update(moved);
    else {
      await trx('audit_log').insert(row);
      await moveHead.update(moved);
    }
    return row;
  };

  /**
   * The record's link computed by PostgreSQL, from the head the UPDATE has locked: the SHA-256 of the same JSON text
   * `hashRecord` (src/audit/audit.service.ts) hashes, field by field in its order. `f` is the row of fields.
   */
  const LINK = `encode(sha256(convert_to(concat('{"seq":', audit_head.seq + 1, ${['at', 'event', 'actor', 'subject', 'client_id', 'ip', 'details']
    .map((field) => `',"${field}":', ${json(`f.${field}`)}`)
    .join(', ')}, ',"prev_hash":', ${json('audit_head.hash')}, '}'), 'UTF8')), 'hex')`;

  return {
    /**
     * PostgreSQL only: `change` (one data-modifying statement with RETURNING) and, when it returned a row, the record
     * of it, as ONE statement: one round trip, committed together, no transaction to open. The head's UPDATE waits for
     * the head's row lock like any append and computes the link from the row it locked (`LINK`), so the chain stays
     * linear with appends from `append` and from other instances. `from` names columns of the change's row that the
     * record takes its actor or subject from. Resolves to the change's rows and the record appended, if any.
     */
    async appendAfter(change: Knex.Raw, entry: NewAuditRow, from: FromChange = {}): Promise<{ rows: Record<string, unknown>[]; record?: AuditRow }> {
      const bindings: Knex.RawBinding[] = [change];
      const field = (name: keyof NewAuditRow) => {
        const column = name === 'actor' || name === 'subject' ? from[name] : undefined;
        bindings.push(column ?? entry[name]);
        return `${column ? 'done.??' : '?'}::text as ${name}`;
      };
      const fields = (['at', 'event', 'actor', 'subject', 'client_id', 'ip', 'details'] as const).map(field).join(', ');
      const { rows } = await prepared<{ rows: (Record<string, unknown> & { audit_record: string | null })[] }>(knex.raw(
        `with done as (?),
        f as (select ${fields} from (select * from done limit 1) as done),
        head as (
          update audit_head set prev_hash = audit_head.hash, seq = audit_head.seq + 1, hash = ${LINK}
          from f where audit_head.id = 1
          returning audit_head.seq, audit_head.prev_hash, audit_head.hash, f.*
        ),
        record as (
          insert into audit_log (seq, at, event, actor, subject, client_id, ip, details, prev_hash, hash)
          select seq, at, event, actor, subject, client_id, ip, details, prev_hash, hash from head
          returning *
        )
        select done.*, row_to_json(record.*)::text as audit_record from done left join record on true`,
        bindings,
      ));
      const recorded = rows[0]?.audit_record;
      return { rows: rows.map(({ audit_record: _, ...row }) => row), ...(recorded ? { record: toRow(JSON.parse(recorded) as Record<string, unknown>) } : {}) };
    },

    /** The SHA-256 (hex) of `text` as JSON text, computed as `appendAfter` computes links; undefined on SQLite. */
    async jsonSha256(text: string): Promise<string | undefined> {
      if (knex.client.dialect !== 'postgresql') return undefined;
      const { rows } = (await knex.raw(`select encode(sha256(convert_to(${json('?::text')}, 'UTF8')), 'hex') as hash`, [text])) as { rows: { hash: string }[] };
      return rows[0]!.hash;
    },

    /**
     * Appends one record to the chain. With `trx` the record commits or rolls back with the caller's work;
     * without it, in a transaction of its own.
     */
    append: (entry: NewAuditRow, seal: (row: Omit<AuditRow, 'hash'>) => string, trx?: Knex.Transaction): Promise<AuditRow> =>
      trx ? appendIn(trx, entry, seal) : knex.transaction((own) => appendIn(own, entry, seal)),

    /** The current head as committed. */
    head: async (): Promise<AuditHead> => toHead(await knex('audit_head').where({ id: 1 }).first('seq', 'hash')),

    /** Records past the head: never legitimate, since every append moves the head in the same transaction. */
    countBeyondHead: async (): Promise<number> => {
      // One statement, so the head and the records are read from the same snapshot.
      const [raw] = await knex('audit_log')
        .where('seq', '>', knex('audit_head').where({ id: 1 }).select('seq'))
        .count({ n: '*' });
      return Number(raw?.n ?? 0);
    },

    /** Records with `from` < seq ≤ `upTo`, in seq order, in batches (keyset pagination: no offset scans). */
    batches: async function* (upTo: number, size = 500, from = 0): AsyncGenerator<AuditRow[]> {
      let after = from;
      for (;;) {
        const rows = (await knex('audit_log').where('seq', '>', after).andWhere('seq', '<=', upTo).orderBy('seq').limit(size)).map(toRow);
        if (rows.length === 0) return;
        yield rows;
        after = rows.at(-1)!.seq;
      }
    },

    /** The end of the newest archive (src/audit/archive.ts): records up to it left the table; the chain goes on from it. */
    archivedUpTo: async (): Promise<(AuditHead & { anchor: ArchiveAnchor; sig: string }) | undefined> => {
      const raw = await knex('audit_archives').orderBy('to_seq', 'desc').first('from_seq', 'to_seq', 'prev_hash', 'last_hash', 'sig');
      if (!raw) return undefined;
      const anchor = { fromSeq: Number(raw.from_seq), toSeq: Number(raw.to_seq), prevHash: raw.prev_hash as string, lastHash: raw.last_hash as string };
      return { seq: anchor.toSeq, hash: anchor.lastHash, anchor, sig: raw.sig as string };
    },

    /** Newest first, for auditor views. */
    list: async (filter: AuditFilter = {}): Promise<AuditRow[]> => {
      const q = knex('audit_log').orderBy('seq', 'desc');
      if (filter.event) q.whereIn('event', Array.isArray(filter.event) ? filter.event : [filter.event]);
      if (filter.actor) q.where('actor', filter.actor);
      if (filter.involving) {
        const who = filter.involving;
        q.where((w) => w.whereIn('actor', who).orWhereIn('subject', who));
      }
      if (filter.clientId) q.where('client_id', filter.clientId);
      if (filter.beforeSeq !== undefined) q.where('seq', '<', filter.beforeSeq);
      // `at` is fixed-width ISO-8601 UTC text, so text comparison is time order.
      if (filter.from) q.where('at', '>=', filter.from.toISOString());
      if (filter.to) q.where('at', '<', filter.to.toISOString());
      q.limit(Math.min(Math.max(filter.limit ?? 100, 1), MAX_LIMIT)).offset(Math.max(filter.offset ?? 0, 0));
      return (await q).map(toRow);
    },
  };
};

/** The audit repository's type, derived from its factory. */
export type AuditRepo = ReturnType<typeof createAuditRepo>;
