import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';
import type { Account } from './accounts.repo.ts';
import type { PersonApps } from './person-cache.ts';

interface Row {
  client_id: string;
  scopes: string | null;
  role: string | null;
  expires_at: unknown;
}

/**
 * A person's decisions on the first-time notice and their active, unrevoked app roles, in one statement: what the
 * notice step, the `roles` claim and access rules need, read once when the person's first app request needs them.
 * Roles are kept with their end, so one that ends while cached stops counting then.
 */
export const createPersonAppsRepo = (knex: Knex) => ({
  async of(account: Account): Promise<PersonApps> {
    const consents = knex('consents').where({ sub: account.sub }).select('client_id', 'scopes', knex.raw('null as role'), knex.raw('null as expires_at'));
    const roles = knex('app_role_grants')
      .where({ directory_id: account.directoryId, state: 'active' })
      .whereNull('revoked_at')
      .select('client_id', knex.raw('null as scopes'), 'role', 'expires_at');
    const rows = (await consents.unionAll(roles)) as Row[];
    const apps: PersonApps = { consents: new Map(), roles: new Map() };
    for (const row of rows) {
      if (row.scopes !== null) apps.consents.set(row.client_id, row.scopes.split(' ').filter(Boolean));
      else if (row.role !== null) apps.roles.set(row.client_id, [...(apps.roles.get(row.client_id) ?? []), { role: row.role, expiresAt: toDate(row.expires_at)?.getTime() ?? null }]);
    }
    return apps;
  },
});
