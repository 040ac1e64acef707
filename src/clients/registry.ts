import type { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { App, ClientRegistry } from './app.ts';

const CHANNEL = 'satu-akun:apps-changed';
/** Bounds how stale an instance can be if an invalidation message is lost (Redis restarting, a network split). */
const MAX_AGE_MS = 30_000;

/**
 * The live apps, read from SQL (the source of truth) into an in-process cache: the sign-in and token paths look an app
 * up several times per request and must not pay a query each time (DESIGN.md "Engineering shape"). `changed()` drops
 * the cache here and, through Redis, on every other instance; without Redis there is only this instance.
 */
export const createCachedRegistry = (deps: {
  load: () => Promise<App[]>;
  clock: Clock;
  logger: Logger;
  redis?: Redis;
  /** Told each time the cache is dropped (for the metrics): a change made here, or a message on the channel or a reconnect. */
  invalidated?: (source: 'local' | 'channel') => void;
}) => {
  let cache: { at: number; byId: Map<string, App> } | undefined;
  let loading: Promise<Map<string, App>> | undefined;
  let generation = 0;

  const apps = async (): Promise<Map<string, App>> => {
    if (cache && deps.clock.now().getTime() - cache.at < MAX_AGE_MS) return cache.byId;
    if (!loading) {
      const started = generation;
      loading = deps
        .load()
        .then((list) => {
          const byId = new Map(list.map((app) => [app.clientId, app]));
          // A change that arrived while loading makes this result stale: use it once, do not keep it.
          if (started === generation) cache = { at: deps.clock.now().getTime(), byId };
          return byId;
        })
        .finally(() => {
          loading = undefined;
        });
    }
    return loading;
  };

  const drop = () => {
    generation++;
    cache = undefined;
    loading = undefined;
  };

  let subscriber: Redis | undefined;
  const start = async () => {
    if (!deps.redis) return;
    // The same options as the client createRedis made: behind Sentinel it follows a failover and resubscribes.
    subscriber = deps.redis.duplicate();
    subscriber.on('error', (err: Error) => deps.logger.warn({ err: err.message }, 'apps invalidation channel error'));
    const remote = () => (drop(), deps.invalidated?.('channel'));
    subscriber.on('message', remote);
    // After a reconnect messages may have been missed: start afresh.
    subscriber.on('ready', remote);
    await subscriber.connect();
    await subscriber.subscribe(CHANNEL);
  };

  const registry: ClientRegistry & { changed(): Promise<void>; start(): Promise<void>; close(): Promise<void> } = {
    find: async (clientId) => (await apps()).get(clientId),
    list: async () => [...(await apps()).values()],
    /** Call after every committed change to an app. */
    async changed() {
      drop();
      deps.invalidated?.('local');
      if (deps.redis) await deps.redis.publish(CHANNEL, String(Date.now())).catch((err: unknown) => deps.logger.warn({ err }, 'could not announce an app change'));
    },
    start,
    async close() {
      await subscriber?.quit().catch(() => undefined);
    },
  };
  return registry;
};

/** Apps from several registries; the first that knows a client id answers (configured apps before registered ones). */
export const combineRegistries = (...registries: ClientRegistry[]): ClientRegistry => ({
  async find(clientId) {
    for (const registry of registries) {
      const app = await registry.find(clientId);
      if (app) return app;
    }
    return undefined;
  },
  list: async () => (await Promise.all(registries.map((r) => r.list()))).flat(),
});
