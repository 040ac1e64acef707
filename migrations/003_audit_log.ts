import type { Knex } from 'knex';

/** 64 zeros: the `prev_hash` of the first record and the hash of an empty trail. */
const GENESIS = '0'.repeat(64);

/**
 * The audit trail: an append-only, hash-chained table, and `audit_head`, one row holding the latest seq and hash.
 * The head is updated in the same transaction as each append, so deleting records at the end of the chain (which
 * the chain alone cannot reveal) is detected by comparing the chain's end with the head.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('audit_log', (t) => {
    // Assigned by the appender (head + 1), not by the database, so the seq is part of the hashed record and
    // two appends that somehow raced would collide on the primary key instead of forking the chain.
    t.bigIncrements('seq');
    // ISO-8601 text with milliseconds and 'Z' rather than a timestamp type: the hashed bytes must read back
    // identically on SQLite and PostgreSQL, whatever the driver does with time zones.
    t.string('at', 32).notNullable();
    t.string('event', 64).notNullable();
    t.string('actor', 255).nullable();
    t.string('subject', 255).nullable();
    t.string('client_id', 255).nullable();
    t.string('ip', 64).nullable();
    t.text('details').nullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.index(['at']);
    t.index(['event']);
    t.index(['actor']);
  });
  await knex.schema.createTable('audit_head', (t) => {
    t.integer('id').primary();
    t.bigInteger('seq').notNullable();
    t.string('hash', 64).notNullable();
  });
  await knex('audit_head').insert({ id: 1, seq: 0, hash: GENESIS });

  if (knex.client.dialect !== 'postgresql') return;
  // Append-only at the database level, so a mistaken UPDATE or DELETE by a person or a bug fails loudly.
  // This is a guard, not the tamper evidence (that is the hash chain plus the externally anchored head):
  // a superuser can bypass it with `SET session_replication_role = replica`, and the table owner can run
  // `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only` or drop the table. Legitimate maintenance
  // (e.g. archiving under a retention decision) is done that way, deliberately, by a DBA. Production should
  // let the application connect as a role that does not own these tables.
  await knex.raw(`
    CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
  await knex.raw(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  // The head only moves forward and is never removed: rolling it back would hide deleted tail records.
  await knex.raw(`
    CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq OR NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'audit_head only moves forward: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only()`);
};

/** Drops the audit tables; dropping bypasses the row triggers, which is why only a migration does it. */
export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTableIfExists('audit_head');
  await knex.schema.dropTableIfExists('audit_log');
  if (knex.client.dialect === 'postgresql') {
    await knex.raw('DROP FUNCTION IF EXISTS audit_log_refuse_change()');
    await knex.raw('DROP FUNCTION IF EXISTS audit_head_forward_only()');
  }
};
