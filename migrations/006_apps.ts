import type { Knex } from 'knex';

/**
 * App registrations and their review (DESIGN.md "App registration, tied to Diskominfo approval"). An app has a status
 * and numbered versions: the live one (approved, in effect) and at most one newer one being drafted or reviewed (the
 * first registration, or a change request while the live configuration keeps working).
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.createTable('apps', (t) => {
    t.string('client_id', 64).primary();
    t.string('agency', 40).notNullable();
    // draft | submitted | changes_requested | rejected | active | suspended | retired
    t.string('status', 24).notNullable();
    // portal | dcr | demo: how it was registered
    t.string('source', 16).notNullable();
    t.string('owner_sub', 64).notNullable();
    // The approved version in effect; null until the first approval.
    t.integer('live_version').nullable();
    // Outside parties: the cooperation agreement of the live version ends on this date (YYYY-MM-DD); the app is then
    // suspended automatically.
    t.string('agreement_expires', 10).nullable();
    // RFC 7592: HMAC of the registration access token of an app registered dynamically.
    t.string('registration_token_hash', 128).nullable();
    // Suspending or retiring revokes every token issued so far: tokens issued at or before this second are refused
    // (epoch seconds, compared with a token's `iat`).
    t.bigInteger('tokens_revoked_at').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['status']);
    t.index(['agency']);
  });
  await knex.schema.createTable('app_versions', (t) => {
    t.string('client_id', 64).notNullable().references('client_id').inTable('apps').onDelete('CASCADE');
    t.integer('version').notNullable();
    // draft | submitted | changes_requested | approved | rejected | superseded | withdrawn
    t.string('state', 24).notNullable();
    // What the developer asked for (JSON, src/clients/registration.schema.ts).
    t.text('registration').notNullable();
    // What the reviewer decided (JSON): final level, data granted, exceptions accepted. Null until decided.
    t.text('decision').nullable();
    t.string('created_by', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('submitted_at', { useTz: true }).nullable();
    t.string('decided_by', 64).nullable();
    t.timestamp('decided_at', { useTz: true }).nullable();
    t.primary(['client_id', 'version']);
    t.index(['state']);
  });
  // The history a developer and a reviewer read: every transition with its reason. The audit trail holds the same
  // facts tamper-evidently; this table is for showing them.
  await knex.schema.createTable('app_events', (t) => {
    t.increments('id');
    t.string('client_id', 64).notNullable().references('client_id').inTable('apps').onDelete('CASCADE');
    t.integer('version').nullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.string('actor', 64).notNullable();
    t.string('action', 32).notNullable();
    t.text('reason').nullable();
    t.string('from_status', 24).nullable();
    t.string('to_status', 24).nullable();
    t.index(['client_id']);
  });
  // Client secrets, only as keyed hashes. The current one has no expiry; after a rotation the previous one expires
  // at the end of the overlap.
  await knex.schema.createTable('app_secrets', (t) => {
    t.increments('id');
    t.string('client_id', 64).notNullable().references('client_id').inTable('apps').onDelete('CASCADE');
    t.string('hash', 128).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).nullable();
    t.index(['client_id']);
  });
  // RFC 7591 initial access tokens, issued by administrators to a developer for one agency.
  await knex.schema.createTable('initial_access_tokens', (t) => {
    t.string('id', 32).primary();
    t.string('token_hash', 128).notNullable().unique();
    t.string('issued_to', 64).notNullable();
    t.string('agency', 40).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.integer('uses_left').notNullable();
    t.string('created_by', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
  });
  // Notifications: sent by SMTP when configured, otherwise they wait here for an administrator to read.
  await knex.schema.createTable('outbox', (t) => {
    t.increments('id');
    t.string('recipient', 320).notNullable();
    t.string('subject', 300).notNullable();
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true }).nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.index(['sent_at']);
  });
};

export const down = async (knex: Knex): Promise<void> => {
  for (const table of ['outbox', 'initial_access_tokens', 'app_secrets', 'app_events', 'app_versions', 'apps']) await knex.schema.dropTableIfExists(table);
};
