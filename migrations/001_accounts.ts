import type { Knex } from 'knex';

/** Accounts link the opaque `sub` to a directory identity; consents record each person's decision per app. */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('accounts', (t) => {
    t.string('sub', 64).primary();
    t.string('directory_id', 255).notNullable().unique();
    t.string('username', 255).notNullable();
    t.string('status', 16).notNullable().defaultTo('active');
    // Snapshot of the directory attributes released as claims, refreshed at every sign-in.
    t.text('profile').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_login_at', { useTz: true });
    t.index(['username']);
  });
  await knex.schema.createTable('consents', (t) => {
    t.string('sub', 64).notNullable().references('sub').inTable('accounts').onDelete('CASCADE');
    t.string('client_id', 255).notNullable();
    t.text('scopes').notNullable();
    t.timestamp('decided_at', { useTz: true }).notNullable();
    t.primary(['sub', 'client_id']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTable('consents');
  await knex.schema.dropTable('accounts');
};
