import type { Knex } from 'knex';

/**
 * Audit retention (issue 13 §1): records older than the retention period move to a compressed archive file and then
 * leave `audit_log`. `audit_archives` records each file and its chain ends, so `verify` starts from the newest one
 * (to_seq, last_hash) instead of genesis, and the file can be matched by its SHA-256.
 *
 * On PostgreSQL the append-only trigger of migration 003 gets one exception: a DELETE of a row whose seq is at or below
 * the highest archived to_seq. A row is recorded here only after its file was written and read back, so a record that
 * is not in a checked archive can still not be deleted, by anyone the trigger binds (the owner included). UPDATE and
 * TRUNCATE stay refused, and `audit_archives` itself is append-only. Each row is signed with the audit checkpoint
 * key, which the database never holds, so a row written by hand is refused by `verify`. The project installs no such
 * triggers on SQLite (README).
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('audit_archives', (t) => {
    t.increments('id');
    t.bigInteger('from_seq').notNullable();
    t.bigInteger('to_seq').notNullable().unique();
    t.string('prev_hash', 64).notNullable();
    t.string('last_hash', 64).notNullable();
    t.integer('record_count').notNullable();
    t.string('file_name', 255).notNullable();
    t.string('file_sha256', 64).notNullable();
    // Ed25519 (the audit checkpoint key) over the range and its two hashes: verify starts from a row only if it holds.
    t.string('sig', 128).notNullable();
    // ISO-8601 text, like audit_log.at.
    t.string('created_at', 32).notNullable();
  });
  if (knex.client.dialect !== 'postgresql') return;
  await knex.raw(`
    CREATE FUNCTION audit_log_delete_archived_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT coalesce(max(to_seq), 0) FROM audit_archives) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw('DROP TRIGGER audit_log_append_only ON audit_log');
  await knex.raw(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_delete_archived_only()`);
  // Rows are only added: removing one would let verify fall back to genesis, which it reports as records missing.
  await knex.raw(`
    CREATE FUNCTION audit_archives_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_archives is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`CREATE TRIGGER audit_archives_append_only BEFORE UPDATE OR DELETE ON audit_archives
    FOR EACH ROW EXECUTE FUNCTION audit_archives_refuse_change()`);
  await knex.raw(`CREATE TRIGGER audit_archives_no_truncate BEFORE TRUNCATE ON audit_archives
    FOR EACH STATEMENT EXECUTE FUNCTION audit_archives_refuse_change()`);
};

export const down = async (knex: Knex): Promise<void> => {
  if (knex.client.dialect === 'postgresql') {
    await knex.raw('DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log');
    await knex.raw(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await knex.raw('DROP FUNCTION IF EXISTS audit_log_delete_archived_only()');
  }
  // Dropping the table takes its triggers with it.
  await knex.schema.dropTableIfExists('audit_archives');
  if (knex.client.dialect === 'postgresql') await knex.raw('DROP FUNCTION IF EXISTS audit_archives_refuse_change()');
};
