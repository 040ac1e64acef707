import type { Knex } from 'knex';

/**
 * Usage reports: sign-ins by security level (issue 13 §2). A `signin.success` record always carries level 1 (it is
 * written at the password step); a second factor proven afterwards is an `mfa.verified` record. `report_levels`
 * counts those records by day, app, agency and level (the larger of 2 and the app's level).
 *
 * They are read with their own cursor, row 2 of `report_cursor`, starting from the beginning of the trail: the
 * records row 1 has already folded in are not read again for the other tables, yet second factors are counted for
 * the whole trail still in the database. Resetting row 1 instead would recount the other figures with today's
 * agencies and lose the figures of records already archived.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('report_levels', (t) => {
    t.string('day', 10).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('agency', 64).notNullable();
    t.integer('level').notNullable();
    t.integer('count').notNullable();
    t.primary(['day', 'client_id', 'agency', 'level']);
  });
  await knex('report_cursor').insert({ id: 2, seq: 0, updated_at: new Date(0).toISOString() });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex('report_cursor').where({ id: 2 }).delete();
  await knex.schema.dropTableIfExists('report_levels');
};
