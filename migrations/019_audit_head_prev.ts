import type { Knex } from 'knex';

/**
 * The audit head also keeps the hash before it (`prev_hash`: the `prev_hash` of the record at the head). On PostgreSQL
 * an append can then be one statement (src/audit/audit.repo.ts, `appendAfter`): the head's UPDATE computes the new link
 * from the row it locked, and its RETURNING gives the record the link it follows, which an UPDATE cannot otherwise
 * return. Existing heads are filled from the record they name.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('audit_head', (t) => {
    t.string('prev_hash', 64).nullable();
  });
  const head = await knex('audit_head').where({ id: 1 }).first('seq');
  const record = head && (await knex('audit_log').where({ seq: head.seq }).first('prev_hash'));
  if (record) await knex('audit_head').where({ id: 1 }).update({ prev_hash: record.prev_hash });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('audit_head', (t) => {
    t.dropColumn('prev_hash');
  });
};
