import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.ts';

/**
 * Failed second-factor attempts per account: after `limit` failures the account waits until `windowMs` after the
 * first failure of the window. Per account only, not per address: a second factor is asked only after the password,
 * so whoever can fail here already holds the password. Time comes from the injected clock (rate-limiter-flexible
 * reads the wall clock, which tests cannot move); Redis, when configured, shares the counts between instances.
 */
export const createMfaThrottle = (deps: { clock: Clock; redis?: Redis; limit?: number; windowMs?: number }) => {
  const limit = deps.limit ?? 5;
  const windowMs = deps.windowMs ?? 15 * 60_000;
  const now = () => deps.clock.now().getTime();
  const key = (sub: string) => `satu-akun:mfa-failures:${sub}`;
  const blocked = (w: { start: number; count: number } | undefined) => !!w && w.count >= limit && now() - w.start < windowMs;

  if (deps.redis) {
    const redis = deps.redis;
    // Atomic so concurrent failures all count. The expiry (wall clock) only cleans up; the window is judged on `start`.
    const FAIL = `local s = tonumber(redis.call('HGET', KEYS[1], 'start'))
      if (not s) or tonumber(ARGV[1]) - s >= tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], 'start', ARGV[1], 'count', 1)
      else redis.call('HINCRBY', KEYS[1], 'count', 1) end
      redis.call('PEXPIRE', KEYS[1], ARGV[2])`;
    return {
      /** True when the account must wait; checked before any code is looked at. */
      async isBlocked(sub: string): Promise<boolean> {
        const [start, count] = await redis.hmget(key(sub), 'start', 'count');
        return start !== null && count !== null && blocked({ start: Number(start), count: Number(count) });
      },
      async failed(sub: string): Promise<void> {
        await redis.eval(FAIL, 1, key(sub), String(now()), String(windowMs));
      },
      async succeeded(sub: string): Promise<void> {
        await redis.del(key(sub));
      },
    };
  }

  const windows = new Map<string, { start: number; count: number }>();
  return {
    /** True when the account must wait; checked before any code is looked at. */
    async isBlocked(sub: string): Promise<boolean> {
      return blocked(windows.get(sub));
    },
    async failed(sub: string): Promise<void> {
      const w = windows.get(sub);
      if (w && now() - w.start < windowMs) w.count += 1;
      else windows.set(sub, { start: now(), count: 1 });
      // Keep memory bounded: forget windows that have passed.
      if (windows.size > 10_000) for (const [k, v] of windows) if (now() - v.start >= windowMs) windows.delete(k);
    },
    async succeeded(sub: string): Promise<void> {
      windows.delete(sub);
    },
  };
};

/** The throttle's type, derived from its factory. */
export type MfaThrottle = ReturnType<typeof createMfaThrottle>;
