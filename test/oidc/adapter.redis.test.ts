import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { createAdapter } from '../../src/oidc/adapter/index.ts';
import { createRedisAdapter } from '../../src/oidc/adapter/redis.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { startRedis } from '../support/redis.ts';
import { adapterContract, type TimeControl } from './adapter.contract.ts';

describe('Redis adapter', () => {
  let redis: Redis | undefined;
  // A prefix of this run's own keeps a shared TEST_REDIS_URL server's other keys out of reach.
  const prefix = `satu-akun-test:${randomUUID()}:`;
  // Redis expires keys on its own clock, so expiry is tested by really waiting past a one-second TTL.
  const time: TimeControl = { now: systemClock.now, pass: (seconds) => sleep(seconds * 1000 + 250) };

  before(async function () {
    this.timeout(30_000);
    redis = new Redis((await startRedis(this)).url);
  });
  after(async () => {
    if (!redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const client = () => {
    if (!redis) throw new Error('Redis not started');
    return redis;
  };
  const makeAdapter = () => createRedisAdapter(client(), { prefix });
  adapterContract('Redis', makeAdapter, time);

  describe('Redis specifics', () => {
    it('stores under the configured prefix', async () => {
      const id = randomUUID();
      await new (makeAdapter())('AccessToken').upsert(id, { jti: id }, 60);
      expect(await client().exists(`${prefix}AccessToken:${id}`)).to.equal(1);
      expect(await client().exists(`satu-akun:oidc:AccessToken:${id}`)).to.equal(0);
    });

    it('keeps a grant list alive as long as its longest-lived member', async () => {
      const Adapter = makeAdapter();
      const grantId = randomUUID();
      const grantKey = `${prefix}grant:${grantId}`;
      await new Adapter('AccessToken').upsert(randomUUID(), { grantId }, 60);
      expect(await client().ttl(grantKey)).to.be.within(1, 60);
      await new Adapter('RefreshToken').upsert(randomUUID(), { grantId }, 3600);
      await new Adapter('AuthorizationCode').upsert(randomUUID(), { grantId }, 10);
      expect(await client().ttl(grantKey)).to.be.within(3590, 3600);
      expect(await client().llen(grantKey)).to.equal(3);
    });

    it('leaves no key behind when consuming an unknown id', async () => {
      const id = randomUUID();
      await new (makeAdapter())('AuthorizationCode').consume(id).catch(() => undefined);
      expect(await client().exists(`${prefix}AuthorizationCode:${id}`)).to.equal(0);
    });

    it('is what createAdapter chooses when Redis is configured, under the default prefix', async () => {
      const id = randomUUID();
      const key = `satu-akun:oidc:AccessToken:${id}`;
      // A knex that is never called: with Redis given, SQL must not be touched.
      const knex = {} as Knex;
      await new (createAdapter({ knex, redis: client(), clock: systemClock }))('AccessToken').upsert(id, { jti: id }, 60);
      try {
        expect(await client().exists(key)).to.equal(1);
      } finally {
        await client().del(key);
      }
    });

    it('removes the grant list with the grant', async () => {
      const Adapter = makeAdapter();
      const grantId = randomUUID();
      await new Adapter('AccessToken').upsert(randomUUID(), { grantId }, 60);
      await new Adapter('AccessToken').revokeByGrantId(grantId);
      expect(await client().exists(`${prefix}grant:${grantId}`)).to.equal(0);
    });

    it('keeps an account set alive as long as its longest-lived member', async () => {
      const Adapter = makeAdapter();
      const accountId = randomUUID();
      const setKey = `${prefix}account:Session:${accountId}`;
      await new Adapter('Session').upsert(randomUUID(), { accountId }, 60);
      expect(await client().ttl(setKey)).to.be.within(1, 60);
      await new Adapter('Session').upsert(randomUUID(), { accountId }, 3600);
      await new Adapter('Session').upsert(randomUUID(), { accountId }, 10);
      expect(await client().ttl(setKey)).to.be.within(3590, 3600);
      expect(await client().zcard(setKey)).to.equal(3);
    });

    it('takes a destroyed session, and a grant revoked for a reuse, out of their account sets', async () => {
      const Adapter = makeAdapter();
      const [accountId, session, grantId, code] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await new Adapter('Session').upsert(session, { accountId }, 60);
      await new Adapter('Grant').upsert(grantId, { accountId }, 60);
      await new Adapter('AuthorizationCode').upsert(code, { grantId }, 60);
      await new Adapter('Session').destroy(session);
      await new Adapter('AuthorizationCode').consume(code);
      await new Adapter('AuthorizationCode').consume(code).catch(() => undefined); // the reuse revokes the grant
      // Read the sets directly: byAccount would hide a stale member by itself.
      expect(await client().zcard(`${prefix}account:Session:${accountId}`)).to.equal(0);
      expect(await client().zcard(`${prefix}account:Grant:${accountId}`)).to.equal(0);
    });

    it('skips and forgets a listed session whose entry is gone', async () => {
      const Adapter = makeAdapter();
      const [accountId, gone, kept] = [randomUUID(), randomUUID(), randomUUID()];
      await new Adapter('Session').upsert(gone, { accountId }, 600);
      await new Adapter('Session').upsert(kept, { accountId }, 60);
      await client().del(`${prefix}Session:${gone}`); // as if Redis had expired it before the adapter's clock did
      expect(await new Adapter('Session').byAccount(accountId, { offset: 0, limit: 10 })).to.deep.equal({ total: 1, entries: [{ id: kept, payload: { accountId } }] });
      expect(await client().zrange(`${prefix}account:Session:${accountId}`, 0, -1)).to.deep.equal([kept]);
    });
  });
});
