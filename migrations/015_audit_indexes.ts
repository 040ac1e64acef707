import type { Knex } from 'knex';

/**
 * The audit viewer (issue 13 §1): every filter reads newest first by seq, so each filtered column is indexed together
 * with seq and a page walks the index from the cursor and stops after 50 rows, at any depth of a 10-million-record
 * trail. `(subject, seq)` exists since migration 010; `at` keeps its index from migration 003 (time ranges); the single-column `event` and `actor` indexes of 003
 * are covered by the new pairs and dropped, so an append maintains no more indexes than it needs.
 *
 * `audit_verifications`: the outcome of each chain verification run from the console, so every instance shows the
 * last one.
 */
const PAIRS = [
  ['audit_log_event_seq_index', 'event'],
  ['audit_log_actor_seq_index', 'actor'],
  ['audit_log_client_id_seq_index', 'client_id'],
] as const;

export const up = async (knex: Knex): Promise<void> => {
  const pg = knex.client.dialect === 'postgresql';
  for (const [name, column] of PAIRS) {
    // CONCURRENTLY on PostgreSQL: building an index on a large trail must not block the appends of sign-ins meanwhile.
    // Event names under the "C" collation: the viewer's prefix filter (`signin.*`) is a bytewise range.
    const collate = column === 'event' ? ' COLLATE "C"' : '';
    if (pg) await knex.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ?? ON audit_log (??${collate}, seq)`, [name, column]);
    else await knex.raw(`CREATE INDEX IF NOT EXISTS ?? ON audit_log (??, seq)`, [name, column]);
  }
  await knex.raw(`DROP INDEX ${pg ? 'CONCURRENTLY ' : ''}IF EXISTS audit_log_event_index`);
  await knex.raw(`DROP INDEX ${pg ? 'CONCURRENTLY ' : ''}IF EXISTS audit_log_actor_index`);

  await knex.schema.createTable('audit_verifications', (t) => {
    t.increments('id');
    t.string('started_at', 32).notNullable();
    t.string('finished_at', 32).notNullable();
    /** The account sub of the person who asked for the run. */
    t.string('started_by', 255).notNullable();
    /** The head the run walked up to, as it stood when the run began. */
    t.bigInteger('head_seq').notNullable();
    t.bigInteger('checked').notNullable();
    /** `ok`, `failed` (the chain is broken: `first_bad_seq` and `reason`) or `error` (it could not be checked). */
    t.string('outcome', 16).notNullable();
    t.bigInteger('first_bad_seq').nullable();
    t.string('reason', 64).nullable();
    t.bigInteger('checkpoint_seq').nullable();
  });
};

/** CREATE INDEX CONCURRENTLY cannot run inside a transaction. */
export const config = { transaction: false };

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTableIfExists('audit_verifications');
  for (const [name] of PAIRS) await knex.raw('DROP INDEX IF EXISTS ??', [name]);
  await knex.raw('CREATE INDEX IF NOT EXISTS audit_log_event_index ON audit_log (event)');
  await knex.raw('CREATE INDEX IF NOT EXISTS audit_log_actor_index ON audit_log (actor)');
};
