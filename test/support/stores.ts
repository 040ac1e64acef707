import type { BuildOptions } from '../../src/app/build.ts';
import { startPostgres } from './postgres.ts';
import { startProvider, type TestProvider } from './provider.ts';
import { startRedis } from './redis.ts';

/** Where a provider under test keeps its state: configuration overrides, and what to remove afterwards. */
export interface StoreBackend {
  name: 'SQLite' | 'PostgreSQL' | 'PostgreSQL + Redis';
  setup(ctx: Mocha.Context): Promise<{ overrides: Record<string, unknown>; drop?: () => Promise<void> }>;
}

const postgres = async (ctx: Mocha.Context) => {
  const db = await (await startPostgres(ctx)).createDatabase();
  return { overrides: { database: { client: 'pg', url: db.url } }, drop: db.drop };
};

/** The single-process default (SQLite), SQL alone on PostgreSQL, and the production layout (PostgreSQL + Redis). */
export const STORES: Record<StoreBackend['name'], StoreBackend> = {
  SQLite: { name: 'SQLite', setup: async () => ({ overrides: {} }) },
  PostgreSQL: { name: 'PostgreSQL', setup: postgres },
  'PostgreSQL + Redis': {
    name: 'PostgreSQL + Redis',
    setup: async (ctx) => {
      const sql = await postgres(ctx);
      const redis = await startRedis(ctx);
      return { overrides: { ...sql.overrides, redisUrl: redis.url }, drop: sql.drop };
    },
  },
};

/**
 * Satu Akun on `store` (its database created for it); `stop()` also removes that database and, the Redis server being
 * shared by the whole run, the guessing-limit counts it left (sample people's spent budgets would refuse other tests).
 */
export const startProviderOn = async (ctx: Mocha.Context, store: StoreBackend, overrides: Record<string, unknown> = {}, options: BuildOptions = {}): Promise<TestProvider> => {
  const setup = await store.setup(ctx);
  const op = await startProvider({ ...setup.overrides, ...overrides }, options);
  return {
    ...op,
    stop: async () => {
      const keys = op.satu.redis ? await op.satu.redis.keys('satu-akun:limit:*') : [];
      if (keys.length) await op.satu.redis!.del(...keys);
      await op.stop();
      await setup.drop?.();
    },
  };
};
