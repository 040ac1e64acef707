import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { configSchema } from '../../src/config/schema.ts';
import { createKnex } from '../../src/db/knex.ts';
import { startPostgres } from './postgres.ts';

/**
 * Declares `suite` twice, on an empty SQLite file and on an empty PostgreSQL database (a throwaway server; with
 * CI=true a missing one fails): for migration tests, which work on a bare connection rather than a provider. `suite`
 * receives a getter, since the connection exists only once `before` has run.
 */
export const onEachDatabase = (suite: (knex: () => Knex) => void) => {
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
    suite(() => knex);
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
    suite(() => {
      if (!knex) throw new Error('PostgreSQL not started');
      return knex;
    });
  });
};
