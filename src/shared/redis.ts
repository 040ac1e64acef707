import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.ts';
import type { Logger } from './logger.ts';

/**
 * The one place an ioredis client is made: Redis at `redisUrl`, or the master a Sentinel group names (`redisSentinel`);
 * undefined when neither is configured. A client's `duplicate()` (the apps-changed subscriber) keeps these options,
 * so it follows a failover too. Connects on `connect()`, not here.
 */
export const createRedis = (config: Pick<Config, 'redisUrl' | 'redisSentinel'>, logger: Logger): Redis | undefined => {
  // No offline queue: while Redis is down, or Sentinel is promoting a replica, requests fail at once (503) instead of
  // hanging; the client reconnects by itself, asking the sentinels where the master now is.
  const common: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false };
  const sentinel = config.redisSentinel;
  if (!sentinel && !config.redisUrl) return undefined;
  // Required here rather than imported: a single process without Redis (npm start) never loads ioredis.
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const redis = sentinel
    ? new Redis({
        ...common,
        sentinels: sentinel.hosts,
        name: sentinel.name,
        sentinelPassword: sentinel.password,
        password: sentinel.masterPassword,
        // Also listens to the sentinels' +switch-master, so a master that is cut off (not dead) is left at once.
        failoverDetector: true,
      })
    : new Redis(config.redisUrl!, common);
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  return redis;
};

/**
 * Connects at start-up, or rejects within `ms` naming the last connection error. Needed for Sentinel: while no
 * sentinel answers, ioredis retries for ever and `connect()` never settles, where a start-up must fail.
 */
export const connectRedis = async (redis: Redis, ms = 10_000): Promise<void> => {
  let last = '';
  const remember = (err: Error) => (last = err.message);
  redis.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis not reachable within ${ms / 1000} s${last ? `: ${last}` : ''}`)), ms))),
    ]);
  } catch (err) {
    redis.disconnect();
    throw err;
  } finally {
    clearTimeout(timer);
    redis.off('error', remember);
  }
};
