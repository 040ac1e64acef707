import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/source.ts';
import { onEachDatabase } from '../support/databases.ts';
import { createAppsRepo } from '../../src/clients/apps.repo.ts';

const MIGRATION = '014_first_party.ts';
const at = new Date('2026-04-01T03:00:00Z').toISOString();

/**
 * Apps stored before issue 11 §6 are not first-party; the repository reads the column as a boolean on both databases,
 * and rolling the migration back keeps every app and its versions (SQLite rebuilds the table to drop a column).
 */
const migration = (getKnex: () => Knex) => {
  it('adds first_party (false for existing apps), read as a boolean, and rolls back without losing apps', async () => {
    const knex = getKnex();
    const files = await migrationSource.getMigrations([]);
    for (const _ of files.slice(0, files.indexOf(MIGRATION))) await knex.migrate.up({ migrationSource });
    await knex('apps').insert({ client_id: 'puskesmas', agency: 'DINKES', status: 'active', source: 'portal', owner_sub: 'sub-dewi', live_version: 1, created_at: at, updated_at: at });
    await knex('app_versions').insert({ client_id: 'puskesmas', version: 1, state: 'approved', registration: '{}', created_by: 'sub-dewi', created_at: at });

    await knex.migrate.up({ migrationSource });
    const repo = createAppsRepo(knex);
    expect((await repo.findApp('puskesmas'))!.firstParty).to.equal(false);
    expect(await repo.updateApp('puskesmas', 'active', { firstParty: true }, new Date(at), knex)).to.equal(1);
    expect((await repo.findApp('puskesmas'))!.firstParty).to.equal(true);

    await knex.migrate.down({ migrationSource });
    expect(await knex.schema.hasColumn('apps', 'first_party')).to.equal(false);
    expect(await knex('apps').where({ client_id: 'puskesmas' })).to.have.length(1);
    expect(await knex('app_versions').where({ client_id: 'puskesmas' }), 'versions survive the rollback').to.have.length(1);
    await knex.migrate.up({ migrationSource });
    expect((await repo.findApp('puskesmas'))!.firstParty).to.equal(false);
  });
};

describe('migration 014: first-party apps', () => {
  onEachDatabase(migration);
});
