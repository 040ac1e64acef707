import type { Knex } from 'knex';
import { configSchema } from '../../src/config/schema.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { createSqlAdapter } from '../../src/oidc/adapter/sql.ts';
import { manualClock, SECOND } from '../support/clock.ts';
import { startPostgres } from '../support/postgres.ts';
import { adapterContract, sqlPruneContract, type TimeControl } from './adapter.contract.ts';

describe('SQL adapter on PostgreSQL', () => {
  let knex: Knex | undefined;
  let drop: (() => Promise<void>) | undefined;
  const clock = manualClock('2025-03-01T08:00:00.000Z');
  const time: TimeControl = { now: clock.now, pass: async (seconds) => clock.move(seconds * SECOND + 1) };

  before(async function () {
    this.timeout(60_000); // first use starts the server
    const database = await (await startPostgres(this)).createDatabase();
    drop = database.drop;
    knex = createKnex(configSchema.parse({ database: { client: 'pg', url: database.url, poolMax: 2 } }));
    await migrate(knex);
  });
  after(async () => {
    await knex?.destroy();
    await drop?.();
  });

  const db = () => {
    if (!knex) throw new Error('PostgreSQL not started');
    return knex;
  };
  const makeAdapter = () => createSqlAdapter(db(), clock);
  adapterContract('PostgreSQL', makeAdapter, time);
  sqlPruneContract('PostgreSQL', db, makeAdapter, time);
});
