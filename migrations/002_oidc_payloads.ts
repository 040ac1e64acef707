import type { Knex } from 'knex';

/**
 * oidc-provider state (sessions, interactions, codes, tokens, grants) for the SQL adapter. One table for every model,
 * like the provider's own adapter contract: the lookup columns beside the JSON are the only ones the adapter queries.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('oidc_payloads', (t) => {
    t.string('model', 64).notNullable();
    t.string('id', 255).notNullable();
    t.text('payload').notNullable();
    t.string('grant_id', 255);
    t.string('user_code', 255);
    t.string('uid', 255);
    // Null means the entry never expires (oidc-provider passes no expiresIn for such models).
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['user_code']);
    t.index(['uid']);
    // Serves both the expiry filter on reads and the periodic prune.
    t.index(['expires_at']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTable('oidc_payloads');
};
