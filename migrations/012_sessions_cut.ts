import type { Knex } from 'knex';

/**
 * When every session of a person was ended (a suspension, a reset, an administrator's "end all"), as epoch seconds:
 * a session that signed in before it, or a code or refresh token from such a session, is refused even if a request
 * that was already running saved it back after it was deleted.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('accounts', (t) => {
    t.bigInteger('sessions_cut_at').nullable();
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('sessions_cut_at');
  });
};
