import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/source.ts';
import { onEachDatabase } from '../support/databases.ts';
import { migrate } from '../../src/db/knex.ts';

// Other migrations are owned elsewhere: assert on the run as a whole and on the tables this suite knows.
const migrationCycle = (getKnex: () => Knex) => {
  it('applies every migration, rolls all back, and applies them again', async () => {
    const knex = getKnex();
    const files = await migrationSource.getMigrations([]);
    expect(await migrate(knex)).to.deep.equal(files);
    expect(files).to.include('002_oidc_payloads.ts');
    expect(await knex.schema.hasTable('oidc_payloads')).to.equal(true);
    const columns = Object.keys(await knex('oidc_payloads').columnInfo());
    expect(columns).to.include.members(['model', 'id', 'payload', 'grant_id', 'user_code', 'uid', 'expires_at', 'consumed_at']);

    await knex.migrate.rollback({ migrationSource }, true);
    expect(await knex.schema.hasTable('oidc_payloads')).to.equal(false);
    const [, pending] = (await knex.migrate.list({ migrationSource })) as [unknown[], unknown[]];
    expect(pending).to.have.length(files.length);

    expect(await migrate(knex)).to.deep.equal(files);
    expect(await knex.schema.hasTable('oidc_payloads')).to.equal(true);
    expect(await migrate(knex)).to.deep.equal([]); // nothing left to apply
  });
};

describe('migrations', () => {
  onEachDatabase(migrationCycle);
});
