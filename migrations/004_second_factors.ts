import type { Knex } from 'knex';

/**
 * Second factors: one TOTP credential per person and their single-use recovery codes. Secrets are stored encrypted
 * (src/mfa/secret-box.ts), codes only as argon2id hashes.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('totp_credentials', (t) => {
    t.string('sub', 64).primary().references('sub').inTable('accounts').onDelete('CASCADE');
    // The confirmed secret; null until the first enrolment is confirmed.
    t.text('secret_enc').nullable();
    t.timestamp('confirmed_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    // Highest RFC 6238 time step accepted for the confirmed secret: a code works once (replay protection).
    t.bigInteger('last_used_step').nullable();
    // A re-enrolment in progress lives beside the confirmed secret, so losing the phone mid-way locks nobody out.
    t.text('pending_secret_enc').nullable();
    t.timestamp('pending_created_at', { useTz: true }).nullable();
  });
  await knex.schema.createTable('recovery_codes', (t) => {
    t.increments('id');
    t.string('sub', 64).notNullable().references('sub').inTable('accounts').onDelete('CASCADE');
    t.text('code_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.index(['sub']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTableIfExists('recovery_codes');
  await knex.schema.dropTableIfExists('totp_credentials');
};
