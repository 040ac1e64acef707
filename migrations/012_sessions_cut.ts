import type { Knex } from 'knex';

/**
 * When every session of a person was ended (a suspension, a reset, an administrator's "end all"), as epoch seconds,
 * and which single sessions were ended (JSON: session uid → when it would have expired, epoch seconds): such a
 * session, or a code or refresh token from it, is refused even if a request that was already running saved it back
 * after it was deleted. Kept on the account row, which every such check reads anyway.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('accounts', (t) => {
    t.bigInteger('sessions_cut_at').nullable();
    t.text('ended_sessions').nullable();
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('sessions_cut_at');
    t.dropColumn('ended_sessions');
  });
};
