import type { Knex } from 'knex';

/**
 * Usage reports (issue 13 §2): daily figures kept up to date from the audit trail, so a report page reads a few
 * hundred aggregate rows instead of scanning the trail. `report_cursor` holds the last audit seq folded in; the
 * aggregates and the cursor move in one transaction, so a seq range is counted exactly once. Days are calendar days
 * in the regency's time zone, as `YYYY-MM-DD` text (the same on SQLite and PostgreSQL).
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('report_cursor', (t) => {
    t.integer('id').primary();
    t.bigInteger('seq').notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex('report_cursor').insert({ id: 1, seq: 0, updated_at: new Date(0).toISOString() });

  // Successful sign-ins, by app, by the person's agency when the record was processed, and by level (`acr`).
  await knex.schema.createTable('report_signins', (t) => {
    t.string('day', 10).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('agency', 64).notNullable();
    t.string('acr', 64).notNullable();
    t.integer('count').notNullable();
    t.primary(['day', 'client_id', 'agency', 'acr']);
  });
  // Who was active in an app on a day (a successful sign-in or a consent): distinct people per day and per month.
  await knex.schema.createTable('report_active', (t) => {
    t.string('day', 10).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('sub', 64).notNullable();
    t.string('agency', 64).notNullable();
    t.primary(['day', 'client_id', 'sub']);
  });
  // Failed sign-ins by reason (`throttled`: the attempt met a lockout) and the agency, when the person is known.
  await knex.schema.createTable('report_failures', (t) => {
    t.string('day', 10).notNullable();
    t.string('reason', 32).notNullable();
    t.string('agency', 64).notNullable();
    t.integer('count').notNullable();
    t.primary(['day', 'reason', 'agency']);
  });
  // A daily snapshot of accounts and of those with a second factor, by agency (not from the trail).
  await knex.schema.createTable('report_factors', (t) => {
    t.string('day', 10).notNullable();
    t.string('agency', 64).notNullable();
    t.integer('accounts').notNullable();
    t.integer('with_factor').notNullable();
    t.primary(['day', 'agency']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  for (const table of ['report_factors', 'report_failures', 'report_active', 'report_signins', 'report_cursor']) await knex.schema.dropTableIfExists(table);
};
