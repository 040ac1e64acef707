import { expect } from 'chai';
import { prepared } from '../../src/db/knex.ts';
import { onEachDatabase } from '../support/databases.ts';

/** Issue 14: the statements of every sign-in run as named prepared statements on PostgreSQL (src/db/knex.ts). */
describe('prepared statements', () => {
  onEachDatabase((knex) => {
    before(async () => {
      await knex().schema.createTable('prepared_t', (t) => t.integer('a'));
      await knex()('prepared_t').insert({ a: 1 });
    });

    it('returns what the query returns, every time', async () => {
      for (let i = 0; i < 3; i++) expect(await prepared(knex()('prepared_t').select('a').where('a', 1))).to.deep.equal([{ a: 1 }]);
    });

    it('still works, with the new column, after the table it returns with * gains one (a migration during a rolling upgrade)', async () => {
      const all = () => prepared<Record<string, unknown>[]>(knex()('prepared_t').select('*'));
      // Both pooled PostgreSQL connections prepare the statement (two at once), so neither has it unprepared.
      expect(await Promise.all([all(), all()])).to.deep.equal([[{ a: 1 }], [{ a: 1 }]]);
      await knex().schema.alterTable('prepared_t', (t) => t.integer('b'));
      expect(await Promise.all([all(), all()])).to.deep.equal([[{ a: 1, b: null }], [{ a: 1, b: null }]]);
      expect(await all()).to.deep.equal([{ a: 1, b: null }]);
    });

    it('inside a transaction, leaves the stale-plan error to the caller: the transaction is aborted, a second try would hide why', async () => {
      const all = (db = knex()) => prepared<Record<string, unknown>[]>(db('prepared_t').select('*'));
      await Promise.all([all(), all()]);
      await knex().schema.alterTable('prepared_t', (t) => t.integer('c'));
      const inTransaction = knex().transaction((trx) => all(trx));
      const outcome = await inTransaction.then((rows) => rows, (err: Error) => err);
      if (knex().client.dialect === 'postgresql') expect(String(outcome)).to.match(/cached plan must not change result type/);
      else expect(outcome).to.deep.equal([{ a: 1, b: null, c: null }]);
      expect(await all()).to.deep.equal([{ a: 1, b: null, c: null }]);
    });

    it('runs under a name derived from its text on PostgreSQL (parsed once per connection), unnamed on SQLite', async () => {
      const sql = 'select 1 + ? as n';
      const names: (string | undefined)[] = [];
      const listener = (q: { sql: string; options?: { name?: string } }) => /^select 1 \+ (\$1|\?) as n$/.test(q.sql) && names.push(q.options?.name);
      knex().on('query', listener);
      try {
        for (const n of [1, 41]) expect(await prepared<unknown>(knex().select(knex().raw('1 + ? as n', [n])))).to.deep.equal([{ n: n + 1 }]);
      } finally {
        knex().off('query', listener);
      }
      expect(names).to.have.length(2);
      if (knex().client.dialect === 'postgresql') {
        expect(names[0]).to.match(/^satu_\d+_[\w-]{22}$/);
        expect(names[1]).to.equal(names[0]);
      } else expect(names).to.deep.equal([undefined, undefined]);
    });
  });
});
