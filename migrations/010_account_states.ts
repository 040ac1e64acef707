import type { Knex } from 'knex';

/**
 * Account states (issue 10): an account is active, suspended (until a date, or until reinstated) or disabled, with
 * the reason and who decided, and when. `account_apps` records each person's first and last sign-in to each app.
 * The audit trail gets an index by subject, for a person's recent sign-in attempts in the admin console.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('accounts', (t) => {
    t.text('status_reason').nullable();
    // A suspension's end: from then on the account reads as active again, with no write needed.
    t.timestamp('status_until', { useTz: true }).nullable();
    t.timestamp('status_changed_at', { useTz: true }).nullable();
    t.string('status_changed_by', 255).nullable();
  });
  await knex.schema.createTable('account_apps', (t) => {
    t.string('sub', 64).notNullable().references('sub').inTable('accounts').onDelete('CASCADE');
    t.string('client_id', 255).notNullable();
    t.timestamp('first_at', { useTz: true }).notNullable();
    t.timestamp('last_at', { useTz: true }).notNullable();
    t.primary(['sub', 'client_id']);
  });
  await knex.schema.alterTable('audit_log', (t) => {
    t.index(['subject', 'seq']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropIndex(['subject', 'seq']);
  });
  await knex.schema.dropTable('account_apps');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('status_reason');
    t.dropColumn('status_until');
    t.dropColumn('status_changed_at');
    t.dropColumn('status_changed_by');
  });
};
