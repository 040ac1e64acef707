import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';

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

  /** Every decision of a person, with when it was first recorded. */
  async records(sub: string, db: Knex = knex): Promise<{ clientId: string; scopes: string[]; decidedAt: Date }[]> {
    const rows = (await db('consents').where({ sub }).select('client_id', 'scopes', 'decided_at')) as { client_id: string; scopes: string; decided_at: unknown }[];
    return rows.map((r) => ({ clientId: r.client_id, scopes: r.scopes.split(' ').filter(Boolean), decidedAt: toDate(r.decided_at)! }));
  },

  /** Forgets a person's decision for an app; false when there was none. */
  async remove(sub: string, clientId: string, db: Knex = knex): Promise<boolean> {
    return (await db('consents').where({ sub, client_id: clientId }).delete()) > 0;
  },

  /**
   * PostgreSQL: the statement that adds `scopes` to what the person agreed to for the app (created at `at` when there
   * was nothing), merged and sorted as `save` stores them, returning the row. Undefined on SQLite.
   */
  agreeing(sub: string, clientId: string, scopes: string[], at: Date): Knex.Raw | undefined {
    if (knex.client.dialect !== 'postgresql') return undefined;
    return knex.raw(
      `insert into consents (sub, client_id, scopes, decided_at) values (?, ?, ?, ?)
      on conflict (sub, client_id) do update set scopes = (
        select string_agg(s, ' ' order by s) from (select distinct unnest(string_to_array(consents.scopes || ' ' || excluded.scopes, ' ')) collate "C" as s) as x where s <> ''
      ) returning sub, client_id, scopes`,
      [sub, clientId, [...new Set(scopes)].sort().join(' '), at.toISOString()],
    );
  },

  /** Records the scopes agreed to; `decided_at` keeps the first agreement (when the data was first shared). */
  async save(sub: string, clientId: string, scopes: string[], at: Date, db: Knex = knex): Promise<void> {
    await db('consents')
      .insert({ sub, client_id: clientId, scopes: scopes.join(' '), decided_at: at.toISOString() })
      .onConflict(['sub', 'client_id'])
      .merge(['scopes']);
  },
});

export type ConsentRepo = ReturnType<typeof createConsentRepo>;
