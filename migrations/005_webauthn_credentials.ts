import type { Knex } from 'knex';

/** WebAuthn / passkey credentials: several per person, each with a name. */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('webauthn_credentials', (t) => {
    t.string('id', 1024).primary(); // credential id, base64url
    t.string('sub', 64).notNullable().references('sub').inTable('accounts').onDelete('CASCADE');
    t.text('public_key').notNullable(); // COSE public key, base64url
    t.bigInteger('counter').notNullable().defaultTo(0);
    t.text('transports').notNullable().defaultTo('');
    t.string('name', 100).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true });
    t.index(['sub']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.dropTable('webauthn_credentials');
};
