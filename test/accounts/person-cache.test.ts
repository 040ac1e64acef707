import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Account } from '../../src/accounts/accounts.repo.ts';
import { createPersonCache, invalidating, type PersonApps } from '../../src/accounts/person-cache.ts';
import { configSchema } from '../../src/config/schema.ts';
import { createKnex } from '../../src/db/knex.ts';
import { createRedis } from '../../src/shared/redis.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { manualClock, SECOND } from '../support/clock.ts';
import { startRedis } from '../support/redis.ts';

const logger = createLogger('silent');
const account = (sub: string, name = 'Rudi Hartono'): Account => ({
  sub,
  directoryId: `dir-${sub}`,
  username: 'rudi.hartono',
  status: 'active',
  profile: { username: 'rudi.hartono', name } as Account['profile'],
  createdAt: new Date('2026-01-01T00:00:00Z'),
  lastLoginAt: null,
});
const noApps = async (): Promise<PersonApps> => ({ consents: new Map(), roles: new Map() });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('the cache of people signing in', () => {
  it('keeps a read unless a change came while it was being read, and forgets after its age bound', () => {
    const clock = manualClock('2026-11-27T08:00:00Z');
    const cache = createPersonCache({ clock, logger, loadApps: noApps });
    const since = cache.generation('sub-1');
    cache.changed('sub-1');
    cache.keep(account('sub-1'), since);
    expect(cache.account('sub-1'), 'read before the change: not kept').to.equal(undefined);

    cache.keep(account('sub-1'), cache.generation('sub-1'));
    expect(cache.account('sub-1')?.profile.name).to.equal('Rudi Hartono');
    expect(cache.subOf('dir-sub-1')).to.equal('sub-1');
    clock.move(31 * SECOND);
    expect(cache.account('sub-1'), 'older than 30 s').to.equal(undefined);
  });

  it('reads a person’s apps once, again after a change, and keeps them when the person signs in again', async () => {
    const clock = manualClock('2026-11-27T08:00:00Z');
    let reads = 0;
    const cache = createPersonCache({ clock, logger, loadApps: async () => (reads++, { consents: new Map([['app-a', ['openid']]]), roles: new Map() }) });
    expect(cache.apps('sub-1'), 'not cached: the caller reads SQL').to.equal(undefined);
    cache.put(account('sub-1'));
    await Promise.all([cache.apps('sub-1'), cache.apps('sub-1')]);
    expect(reads).to.equal(1);
    cache.put(account('sub-1', 'Rudi H.'));
    expect((await cache.apps('sub-1'))!.consents.get('app-a')).to.deep.equal(['openid']);
    expect(reads, 'a sign-in changes no consent or role').to.equal(1);
    // A person who keeps signing in renews the account, not the apps: they are read again once 30 s old.
    clock.move(20 * SECOND);
    cache.put(account('sub-1'));
    clock.move(15 * SECOND);
    await cache.apps('sub-1');
    expect(reads, 'apps read 35 s before').to.equal(2);
    cache.changed('sub-1');
    expect(cache.apps('sub-1')).to.equal(undefined);
    cache.put(account('sub-1'));
    await cache.apps('sub-1');
    expect(reads).to.equal(3);
  });

  describe('with a transaction (SQLite)', () => {
    let knex: Knex;
    before(async () => {
      // The project's own SQLite driver for this Node.js (better-sqlite3 12 or 13, see src/db/knex.ts).
      knex = createKnex(configSchema.parse({ database: { client: 'sqlite', filename: ':memory:' } }));
      await knex.schema.createTable('t', (t) => t.string('sub'));
    });
    after(() => knex.destroy());

    it('forgets a person again when the transaction of a write ends: a read between write and commit is not kept', async () => {
      const cache = createPersonCache({ clock: manualClock('2026-11-27T08:00:00Z'), logger, loadApps: noApps });
      const repo = invalidating({ write: async (sub: string, db: Knex) => void (await db('t').insert({ sub })) }, ['write'], (args, db) => cache.changed(args[0] as string, db));
      cache.put(account('sub-1'));
      await knex.transaction(async (trx) => {
        await repo.write('sub-1', trx);
        expect(cache.account('sub-1'), 'dropped at the write').to.equal(undefined);
        // Another request reads the row as committed (the old value) and keeps it.
        cache.keep(account('sub-1', 'old'), cache.generation('sub-1'));
        expect(cache.account('sub-1')?.profile.name).to.equal('old');
      });
      expect(await until(() => cache.account('sub-1') === undefined), 'dropped again at the commit').to.equal(true);
    });
  });

  describe('on two instances (Redis)', () => {
    let url: string;
    before(async function () {
      url = (await startRedis(this)).url;
    });

    it('a change on one instance drops the person (or their apps) on the other; an instance keeps what it stored itself', async () => {
      const clock = manualClock('2026-11-27T08:00:00Z');
      const [redisA, redisB] = [createRedis({ redisUrl: url }, logger)!, createRedis({ redisUrl: url }, logger)!];
      await Promise.all([redisA.connect(), redisB.connect()]);
      const loads = { a: 0 };
      const a = createPersonCache({ clock, logger, redis: redisA, loadApps: async () => (loads.a++, noApps()) });
      const b = createPersonCache({ clock, logger, redis: redisB, loadApps: noApps });
      await Promise.all([a.start(), b.start()]);
      try {
        b.put(account('sub-1'));
        // B's own announcement reaches A (which has nothing to drop) before A signs the person in.
        await new Promise((r) => setTimeout(r, 200));
        a.put(account('sub-1'));
        expect(await until(() => b.account('sub-1') === undefined), "A's sign-in announced: B reads it afresh").to.equal(true);
        expect(a.account('sub-1'), 'A keeps what it stored').to.not.equal(undefined);

        b.put(account('sub-1'));
        await until(() => a.account('sub-1') === undefined);
        // A change of app roles (anyone's) drops what everyone has with apps, on both instances; accounts stay.
        a.put(account('sub-2'));
        await a.apps('sub-2');
        const loadsBefore = loads.a;
        b.changedAll();
        expect(await until(() => (void a.apps('sub-2'), loads.a > loadsBefore)), "A reads the person's apps afresh").to.equal(true);
        expect(a.account('sub-2'), 'the account stays').to.not.equal(undefined);
      } finally {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([redisA.quit(), redisB.quit()]);
      }
    });
  });
});
