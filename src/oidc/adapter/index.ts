import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import type { Clock } from '../../shared/clock.ts';
import type { OidcAdapterClass } from './contract.ts';
import { createRedisAdapter } from './redis.ts';
import { createSqlAdapter } from './sql.ts';

/** Chooses the store for oidc-provider state: Redis when configured (production), else SQL (single process). */
export const createAdapter = (deps: { knex: Knex; redis?: Redis | undefined; clock: Clock }): OidcAdapterClass =>
  deps.redis ? createRedisAdapter(deps.redis, { clock: deps.clock }) : createSqlAdapter(deps.knex, deps.clock);
