import type { Knex } from 'knex';

/**
 * First-party apps (issue 11 §6): an app Diskominfo marks in the review as the regency's own (its portals) signs people
 * in without the first-time notice; what it receives is still recorded and shown in the staff portal. The mark is the
 * app's, not a version's: a reviewer sets it with a decision and may change it on a live app, and it holds until
 * then. Every app stored before this migration is not first-party.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('apps', (t) => {
    t.boolean('first_party').notNullable().defaultTo(false);
  });
};

/**
 * Outside a transaction: SQLite drops a column by rebuilding the table, and knex can switch foreign-key enforcement off
 * for the rebuild only outside one. Inside, dropping the old `apps` table would cascade to every app's versions,
 * events and secrets. Adding a column is one statement either way.
 */
export const config = { transaction: false };

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('apps', (t) => {
    t.dropColumn('first_party');
  });
};
