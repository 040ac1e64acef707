import type { Knex } from 'knex';
import { prepared, toDate } from '../db/knex.ts';
import type { Account } from './accounts.repo.ts';
import type { PersonApps } from './person-cache.ts';

export interface PersonAppsRow {
  client_id: string;
  scopes: string | null;
  role: string | null;
  expires_at: unknown;
}

/**
 * A person's decisions on the first-time notice and their active, unrevoked app roles, as one statement; `sub` and
 * `directoryId` are values, or references to the columns of a statement this one is part of.
 */
type Value = string | Knex.Ref<string, Record<string, string>>;
export const personAppsQuery = (knex: Knex, sub: Value, directoryId: Value) => {
  const consents = knex('consents').where('sub', sub).select('client_id', 'scopes', knex.raw('null as role'), knex.raw('null as expires_at'));
  const roles = knex('app_role_grants')
    .where('directory_id', directoryId)
    .andWhere({ state: 'active' })
    .whereNull('revoked_at')
    .select('client_id', knex.raw('null as scopes'), 'role', 'expires_at');
  return consents.unionAll(roles);
};

/** What `personAppsQuery` returned, as the cache of people keeps it. */
export const toPersonApps = (rows: PersonAppsRow[]): PersonApps => {
  const apps: PersonApps = { consents: new Map(), roles: new Map() };
  for (const row of rows) {
    if (row.scopes !== null) apps.consents.set(row.client_id, row.scopes.split(' ').filter(Boolean));
    else if (row.role !== null) apps.roles.set(row.client_id, [...(apps.roles.get(row.client_id) ?? []), { role: row.role, expiresAt: toDate(row.expires_at)?.getTime() ?? null }]);
  }
  return apps;
};

/**
 * What the notice step, the `roles` claim and access rules need of a person, read once when the person's first app
 * request needs them (or with the sign-in, src/accounts/accounts.repo.ts). Roles are kept with their end, so one that
 * ends while cached stops counting then.
 */
export const createPersonAppsRepo = (knex: Knex) => ({
  of: async (account: Account): Promise<PersonApps> => toPersonApps(await prepared<PersonAppsRow[]>(personAppsQuery(knex, account.sub, account.directoryId))),
});
