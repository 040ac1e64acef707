import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createMfaThrottle, type MfaThrottle } from '../../src/mfa/mfa-throttle.ts';
import { startRedis } from '../support/redis.ts';

for (const backend of [{ name: 'memory' }, { name: 'Redis' }]) {
  describe(`mfa throttle (${backend.name})`, () => {
    let redis: Redis | undefined;
    let ms = Date.parse('2025-03-04T05:06:10Z');
    let throttle: MfaThrottle;
    const clock = { now: () => new Date(ms) };
    let n = 0;
    let sub = '';

    before(async function () {
      if (backend.name === 'Redis') redis = new Redis((await startRedis(this)).url);
    });
    after(() => redis?.disconnect());
    beforeEach(() => {
      throttle = createMfaThrottle({ clock, redis });
      sub = `sub-${Date.now()}-${++n}`; // a shared Redis may outlive the run
    });

    it('blocks after five failures until fifteen minutes after the first, by the injected clock', async () => {
      for (let i = 0; i < 4; i++) await throttle.failed(sub);
      expect(await throttle.isBlocked(sub)).to.equal(false);
      ms += 60_000;
      await throttle.failed(sub);
      expect(await throttle.isBlocked(sub)).to.equal(true);
      ms += 13 * 60_000;
      expect(await throttle.isBlocked(sub)).to.equal(true);
      ms += 60_000;
      expect(await throttle.isBlocked(sub)).to.equal(false);
      await throttle.failed(sub); // a new window begins
      expect(await throttle.isBlocked(sub)).to.equal(false);
    });

    it('counts concurrent failures, and a success clears the count', async () => {
      await Promise.all(Array.from({ length: 5 }, () => throttle.failed(sub)));
      expect(await throttle.isBlocked(sub)).to.equal(true);
      await throttle.succeeded(sub);
      expect(await throttle.isBlocked(sub)).to.equal(false);
    });

    it('counts per account', async () => {
      for (let i = 0; i < 5; i++) await throttle.failed(sub);
      expect(await throttle.isBlocked(`${sub}-other`)).to.equal(false);
    });
  });
}
