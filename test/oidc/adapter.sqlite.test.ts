import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { configSchema } from '../../src/config/schema.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import { createAdapter } from '../../src/oidc/adapter/index.ts';
import { createSqlAdapter } from '../../src/oidc/adapter/sql.ts';
import { manualClock, SECOND } from '../support/clock.ts';
import { adapterContract, sqlPruneContract, type TimeControl } from './adapter.contract.ts';

describe('SQL adapter on SQLite', () => {
  let dir: string;
  let knex: Knex;
  // An injected clock: expiry is tested by moving time, not by waiting.
  const clock = manualClock('2025-03-01T08:00:00.000Z');
  const time: TimeControl = { now: clock.now, pass: async (seconds) => clock.move(seconds * SECOND + 1) };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'satu-akun-sqlite-'));
    knex = createKnex(configSchema.parse({ dataDir: dir, database: { client: 'sqlite', filename: 'test.sqlite' } }));
    await migrate(knex);
  });
  after(async () => {
    await knex?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const makeAdapter = () => createSqlAdapter(knex, clock);
  adapterContract('SQLite', makeAdapter, time);
  sqlPruneContract('SQLite', () => knex, makeAdapter, time);

  it('is what createAdapter chooses when no Redis is configured', async () => {
    const id = randomUUID();
    await new (createAdapter({ knex, clock }))('AccessToken').upsert(id, { jti: id }, 60);
    expect(await knex('oidc_payloads').where({ model: 'AccessToken', id }).pluck('id')).to.deep.equal([id]);
  });
});
