import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { migrationSource } from '../../migrations/source.ts';
import { configSchema } from '../../src/config/schema.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { startPostgres } from '../support/postgres.ts';

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
  describe('on SQLite', () => {
    let dir: string;
    let knex: Knex;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'satu-akun-migrations-'));
      knex = createKnex(configSchema.parse({ dataDir: dir, database: { client: 'sqlite', filename: 'm.sqlite' } }));
    });
    after(async () => {
      await knex?.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    migrationCycle(() => knex);
  });

  describe('on PostgreSQL', () => {
    let knex: Knex | undefined;
    let drop: (() => Promise<void>) | undefined;
    before(async function () {
      this.timeout(60_000); // first use starts the server
      const database = await (await startPostgres(this)).createDatabase();
      drop = database.drop;
      knex = createKnex(configSchema.parse({ database: { client: 'pg', url: database.url, poolMax: 2 } }));
    });
    after(async () => {
      await knex?.destroy();
      await drop?.();
    });
    migrationCycle(() => {
      if (!knex) throw new Error('PostgreSQL not started');
      return knex;
    });
  });
});
