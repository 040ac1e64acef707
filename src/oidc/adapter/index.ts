import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { AdapterConstructor } from 'oidc-provider';
import type { Clock } from '../../shared/clock.ts';
import { createRedisAdapter } from './redis.ts';
import { createSqlAdapter } from './sql.ts';

/** What the provider's `adapter` option receives, plus housekeeping the app schedules. */
export interface OidcAdapterClass extends AdapterConstructor {
  /** Deletes expired entries and returns how many; a no-op where the store expires entries itself (Redis). */
  prune(): Promise<number>;
}

/** Chooses the store for oidc-provider state: Redis when configured (production), else SQL (single process). */
export const createAdapter = (deps: { knex: Knex; redis?: Redis | undefined; clock: Clock }): OidcAdapterClass =>
  deps.redis ? createRedisAdapter(deps.redis, { clock: deps.clock }) : createSqlAdapter(deps.knex, deps.clock);
