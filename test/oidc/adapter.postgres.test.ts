import { expect } from 'chai';
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

  it('runs the statements of every request as prepared statements (issue 14)', async () => {
    const seen: string[] = [];
    const listener = (q: { sql: string; options?: { name?: string } }) => seen.push(`${q.options?.name ? 'prepared' : 'unnamed'} ${q.sql.split(' ')[0]}`);
    db().on('query', listener);
    try {
      const Adapter = makeAdapter();
      const codes = new Adapter('AuthorizationCode');
      await codes.upsert('code-1', { grantId: 'g-1', accountId: 'a-1' }, 60);
      expect(await codes.find('code-1')).to.deep.include({ grantId: 'g-1' });
      await codes.consume('code-1');
      await codes.destroy('code-1');
    } finally {
      db().off('query', listener);
    }
    expect(seen).to.deep.equal(['prepared insert', 'prepared select', 'prepared update', 'prepared delete']);
  });
});
