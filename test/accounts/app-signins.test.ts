import { expect } from 'chai';
import { createAccountsRepo } from '../../src/accounts/accounts.repo.ts';
import { createAppSignIns, type AppSignIn } from '../../src/accounts/app-signins.ts';
import { migrate } from '../../src/db/knex.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { onEachDatabase } from '../support/databases.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 8, minute));

describe('sign-ins to apps, written behind', () => {
  it('gathers sign-ins into one write per flush, one row per person and app with the first and the last time', async () => {
    const writes: AppSignIn[][] = [];
    const signIns = createAppSignIns({ write: async (batch) => void writes.push(batch), logger: createLogger('silent'), flushMs: 60_000 });
    signIns.record('sub-1', 'app-a', at(1));
    signIns.record('sub-1', 'app-a', at(3));
    signIns.record('sub-1', 'app-b', at(2));
    signIns.record('sub-2', 'app-a', at(4));
    expect(writes, 'nothing written before the flush').to.deep.equal([]);
    await signIns.flush();
    expect(writes).to.deep.equal([
      [
        { sub: 'sub-1', clientId: 'app-a', firstAt: at(1), lastAt: at(3) },
        { sub: 'sub-1', clientId: 'app-b', firstAt: at(2), lastAt: at(2) },
        { sub: 'sub-2', clientId: 'app-a', firstAt: at(4), lastAt: at(4) },
      ],
    ]);
    await signIns.flush();
    expect(writes, 'nothing pending, nothing written').to.have.length(1);
  });

  it('keeps a batch whose write failed and writes it with the next one', async () => {
    const writes: AppSignIn[][] = [];
    let fail = true;
    const signIns = createAppSignIns({
      write: async (batch) => {
        if (fail) throw new Error('database down');
        writes.push(batch);
      },
      logger: createLogger('silent'),
      flushMs: 60_000,
    });
    signIns.record('sub-1', 'app-a', at(1));
    await signIns.flush();
    fail = false;
    signIns.record('sub-1', 'app-a', at(5));
    await signIns.flush();
    expect(writes).to.deep.equal([[{ sub: 'sub-1', clientId: 'app-a', firstAt: at(1), lastAt: at(5) }]]);
  });

  it('writes at most 400 rows a statement, and drops a chunk that failed five times', async () => {
    const sizes: number[] = [];
    let failing = 0;
    const signIns = createAppSignIns({
      write: async (batch) => {
        if (failing-- > 0) throw new Error('database down');
        sizes.push(batch.length);
      },
      logger: createLogger('silent'),
      flushMs: 60_000,
    });
    for (let i = 0; i < 1000; i++) signIns.record(`sub-${i}`, 'app-a', at(1));
    await signIns.flush();
    expect(sizes, "SQLite's compound SELECT takes 500 terms at most").to.deep.equal([400, 400, 200]);

    sizes.length = 0;
    signIns.record('sub-gone', 'app-a', at(2));
    for (let attempt = 0; attempt < 5; attempt++) {
      failing = 1;
      await signIns.flush();
    }
    await signIns.flush();
    expect(sizes, 'given up after five failed writes').to.deep.equal([]);
  });

  it('writes a chunk refused for one of its rows again row by row, so only that row is lost', async () => {
    const writes: string[][] = [];
    const refused = Object.assign(new Error('foreign key violated'), { code: '23503' });
    const signIns = createAppSignIns({
      write: async (batch) => {
        if (batch.some((row) => row.sub === 'sub-gone')) throw refused;
        writes.push(batch.map((row) => row.sub));
      },
      logger: createLogger('silent'),
      flushMs: 60_000,
    });
    for (const sub of ['sub-1', 'sub-gone', 'sub-2']) signIns.record(sub, 'app-a', at(1));
    await signIns.flush();
    expect(writes).to.deep.equal([['sub-1'], ['sub-2']]);
    await signIns.flush();
    expect(writes, 'the refused row is not tried again').to.have.length(2);
  });

  it('writes by itself after the gathering time', async () => {
    const writes: AppSignIn[][] = [];
    const signIns = createAppSignIns({ write: async (batch) => void writes.push(batch), logger: createLogger('silent'), flushMs: 20 });
    signIns.record('sub-1', 'app-a', at(1));
    for (let i = 0; i < 50 && !writes.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(writes).to.have.length(1);
  });
});

describe('sign-ins to apps, written behind to the database', () => {
  onEachDatabase((knex) => {
    it('keeps the other rows of a batch when one person\'s account was deleted before the write', async () => {
      await migrate(knex());
      const repo = createAccountsRepo(knex());
      const account = (sub: string) => ({ sub, directory_id: `dir-${sub}`, username: sub, profile: '{}', created_at: new Date().toISOString() });
      await knex()('accounts').insert([account('sub-1'), account('sub-gone'), account('sub-2')]);
      const signIns = createAppSignIns({ write: (batch) => repo.recordAppSignIns(batch), logger: createLogger('silent'), flushMs: 60_000 });
      for (const sub of ['sub-1', 'sub-gone', 'sub-2']) signIns.record(sub, 'app-a', at(1));
      await knex()('accounts').where({ sub: 'sub-gone' }).delete();
      await signIns.flush();
      const rows = await knex()('account_apps').orderBy('sub').select('sub', 'client_id');
      expect(rows).to.deep.equal([
        { sub: 'sub-1', client_id: 'app-a' },
        { sub: 'sub-2', client_id: 'app-a' },
      ]);
    });
  });
});
