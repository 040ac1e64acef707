import type { Knex } from 'knex';

/**
 * Indexes sessions and grants by the person they belong to, so a person's SSO sessions and grants can be listed and
 * ended without scanning `oidc_payloads`. Only the models in ACCOUNT_INDEXED_MODELS (src/oidc/adapter/contract.ts)
 * fill `account_id`; it is null for every other row.
 */
export const up = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('oidc_payloads', (t) => {
    t.string('account_id', 255).nullable();
    // Equality on account and model, then the expiry filter and order of a listing.
    t.index(['account_id', 'model', 'expires_at']);
  });
  // Entries saved before this migration would otherwise stay unlisted, and so could not be ended, until re-saved.
  // The model list is spelled out: a migration must do the same thing whatever the set becomes later.
  const accountId = knex.client.dialect === 'postgresql' ? knex.raw(`payload::json->>'accountId'`) : knex.raw(`json_extract(payload, '$.accountId')`);
  await knex('oidc_payloads').whereIn('model', ['Session', 'Grant']).update({ account_id: accountId });
};

export const down = async (knex: Knex): Promise<void> => {
  await knex.schema.alterTable('oidc_payloads', (t) => {
    t.dropIndex(['account_id', 'model', 'expires_at']);
    t.dropColumn('account_id');
  });
};
