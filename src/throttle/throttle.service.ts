import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

const WINDOW_SECONDS = 15 * 60;

export interface ThrottleOptions {
  /** Failures per (login, address) pair in the window before that pair waits out the window. */
  accountFailures: number;
  /** Failures per client address in the window before the address waits. */
  addressFailures: number;
  redis?: Redis;
}

/** Result of a check: `retryAfterSeconds` is set when the attempt must not proceed. */
export interface ThrottleVerdict {
  retryAfterSeconds?: number;
}

/**
 * Brute-force protection for password sign-ins. Failures are counted per (login, client address) and per address:
 * an attacker elsewhere cannot lock a person out of their own desk, and one address cannot sweep many accounts.
 * Only wrong passwords count; directory outages never do. Redis-backed when Redis is configured so every instance
 * shares the counts.
 */
export const createThrottleService = (options: ThrottleOptions) => {
  const make = (keyPrefix: string, points: number): RateLimiterAbstract =>
    options.redis
      ? new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `satu-akun:throttle:${keyPrefix}`, points, duration: WINDOW_SECONDS, blockDuration: WINDOW_SECONDS })
      : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS, blockDuration: WINDOW_SECONDS });
  const pair = make('pair', options.accountFailures);
  const address = make('addr', options.addressFailures);
  const pairKey = (login: string, ip: string) => `${login.trim().toLowerCase()}|${ip}`;

  const blockedFor = (res: RateLimiterRes | null, points: number) =>
    res && res.consumedPoints >= points ? Math.max(1, Math.ceil(res.msBeforeNext / 1000)) : 0;

  return {
    async check(login: string, ip: string): Promise<ThrottleVerdict> {
      const [p, a] = await Promise.all([pair.get(pairKey(login, ip)), address.get(ip)]);
      const wait = Math.max(blockedFor(p, options.accountFailures), blockedFor(a, options.addressFailures));
      return wait ? { retryAfterSeconds: wait } : {};
    },

    async failed(login: string, ip: string): Promise<void> {
      // consume() rejects with the limiter state once the limit is passed; that state is what check() reads next.
      const swallowLimit = (err: unknown) => {
        if (!(err instanceof RateLimiterRes)) throw err;
      };
      await Promise.all([pair.consume(pairKey(login, ip)).catch(swallowLimit), address.consume(ip).catch(swallowLimit)]);
    },

    async succeeded(login: string, ip: string): Promise<void> {
      await pair.delete(pairKey(login, ip));
    },
  };
};

export type ThrottleService = ReturnType<typeof createThrottleService>;
