import type { Knex } from 'knex';

/**
 * Roles decided by the regency (issue 10 §3–§5): global role grants, the agency list, and app role grants. Every grant
 * keeps who granted it, why, when, until when, and who ended it and why; nothing is deleted, so the console can show
 * the history and the audit trail can point at a row.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('agencies', (t) => {
    t.string('code', 64).primary();
    t.string('name', 255).notNullable();
    t.string('parent_code', 64).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    // `directory`: seen as a value in the directory; `console`: added or edited by an administrator.
    t.string('source', 16).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('role_grants', (t) => {
    t.increments('id');
    t.string('directory_id', 255).notNullable();
    // The person's login when granted, for lists; the directory id is what counts.
    t.string('login', 255).notNullable();
    t.string('role', 32).notNullable();
    t.string('agency', 64).nullable();
    t.text('reason').notNullable();
    t.string('granted_by', 255).notNullable();
    t.timestamp('granted_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.string('revoked_by', 255).nullable();
    t.text('revoke_reason').nullable();
    // Set when the person moved to another agency: the grant waits for the new agency's administrator to review it.
    t.text('review_note').nullable();
    t.index(['directory_id', 'revoked_at']);
    t.index(['role', 'revoked_at']);
  });
  await knex.schema.createTable('app_role_grants', (t) => {
    t.increments('id');
    t.string('client_id', 255).notNullable();
    t.string('role', 64).notNullable();
    t.string('directory_id', 255).notNullable();
    t.string('login', 255).notNullable();
    // The person's agency when granted: a transfer flags the grant for review.
    t.string('agency', 64).nullable();
    t.text('reason').notNullable();
    t.string('granted_by', 255).notNullable();
    t.timestamp('granted_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    // `pending`: waits for a second person's approval (a level-3 app); `active` otherwise.
    t.string('state', 16).notNullable();
    t.string('approved_by', 255).nullable();
    t.timestamp('approved_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.string('revoked_by', 255).nullable();
    t.text('revoke_reason').nullable();
    t.text('review_note').nullable();
    t.index(['directory_id', 'client_id']);
    t.index(['client_id', 'role']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTable('app_role_grants');
  await knex.schema.dropTable('role_grants');
  await knex.schema.dropTable('agencies');
};
