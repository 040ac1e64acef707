import type { Knex } from 'knex';

/**
 * A message is claimed (until a time, epoch milliseconds) by the instance that sends it, so two instances never send
 * one message twice; a claim left by an instance that died expires and another one retries. A `sensitive` message (a
 * set-up code) is not shown on the outbox page and its body is removed once sent.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('outbox', (t) => {
    t.bigInteger('claimed_until').nullable();
    t.boolean('sensitive').notNullable().defaultTo(false);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('claimed_until');
    t.dropColumn('sensitive');
  });
};
