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
  });
});
