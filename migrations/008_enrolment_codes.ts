import type { Knex } from 'knex';

/**
 * Codes that prove, besides the password, that a person may set up their first second factor: sent to their official
 * e-mail or handed over by an administrator. One live code per directory identity and channel (a new one replaces the earlier one of its channel); only a
 * keyed hash is stored. Times are epoch milliseconds.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('enrolment_codes', (t) => {
    t.string('directory_id', 255).notNullable();
    t.string('channel', 10).notNullable();
    t.string('code_hash', 64).notNullable();
    t.string('issued_by', 64).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.primary(['directory_id', 'channel']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTableIfExists('enrolment_codes');
};
