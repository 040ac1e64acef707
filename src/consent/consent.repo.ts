import type { Knex } from 'knex';

/** SQL for consent decisions: the scopes each person agreed to release to each app. */
export const createConsentRepo = (knex: Knex) => ({
  async find(sub: string, clientId: string, db: Knex = knex): Promise<string[] | undefined> {
    const row = (await db('consents').where({ sub, client_id: clientId }).first('scopes')) as { scopes: string } | undefined;
    return row ? row.scopes.split(' ').filter(Boolean) : undefined;
  },

  /** Every app a person agreed to release data to, with the scopes (client id → scopes). */
  async ofPerson(sub: string, db: Knex = knex): Promise<Map<string, string[]>> {
    const rows = (await db('consents').where({ sub }).select('client_id', 'scopes')) as { client_id: string; scopes: string }[];
    return new Map(rows.map((r) => [r.client_id, r.scopes.split(' ').filter(Boolean)]));
  },

  async save(sub: string, clientId: string, scopes: string[], at: Date, db: Knex = knex): Promise<void> {
    await db('consents')
      .insert({ sub, client_id: clientId, scopes: scopes.join(' '), decided_at: at.toISOString() })
      .onConflict(['sub', 'client_id'])
      .merge(['scopes', 'decided_at']);
  },
});

export type ConsentRepo = ReturnType<typeof createConsentRepo>;
