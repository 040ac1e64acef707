import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Directory } from '../directory/directory.ts';
import type { Metrics, Store } from './metrics.ts';

type Observe = (outcome: 'ok' | 'error') => void;
const timer = (metrics: Metrics, store: Store): Observe => {
  const end = metrics.storeDuration.startTimer({ store });
  return (outcome) => void end({ outcome });
};

/**
 * Times every SQL query from knex's own events: `query` starts a timer keyed by the query's uid, `query-response` or
 * `query-error` stops it. A query that never answers (the connection dropped) is forgotten when the pool gives up on it.
 */
export const observeKnex = (knex: Knex, metrics: Metrics): void => {
  const pending = new Map<string, Observe>();
  const stop = (query: { __knexQueryUid?: string }, outcome: 'ok' | 'error') => {
    const uid = query?.__knexQueryUid;
    if (!uid) return;
    pending.get(uid)?.(outcome);
    pending.delete(uid);
  };
  knex.on('query', (query: { __knexQueryUid?: string }) => {
    if (query.__knexQueryUid) pending.set(query.__knexQueryUid, timer(metrics, 'sql'));
  });
  knex.on('query-response', (_response: unknown, query: { __knexQueryUid?: string }) => stop(query, 'ok'));
  knex.on('query-error', (_err: unknown, query: { __knexQueryUid?: string }) => stop(query, 'error'));
};

/**
 * Times every command of this Redis client (ioredis has no command events): each command passes `sendCommand`, and
 * its promise settles with the reply. A command refused while Redis is down settles at once, as an error.
 */
export const observeRedis = (redis: Redis, metrics: Metrics): void => {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const done = timer(metrics, 'redis');
    command.promise.then(
      () => done('ok'),
      () => done('error'),
    );
    return send(command, stream);
  };
};

/**
 * The directory with each LDAP operation timed (a search, a bind, or both for a password check). A wrong password or
 * an unknown login is an answer (`ok`); only a directory that cannot answer is an `error`.
 */
export const observeDirectory = (directory: Directory, metrics: Metrics): Directory => {
  const timed =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const done = timer(metrics, 'ldap');
      try {
        const result = await fn(...args);
        done('ok');
        return result;
      } catch (err) {
        done('error');
        throw err;
      }
    };
  // Called through at each call, not bound once: a test's stub may swap a method after start-up.
  return {
    authenticate: timed((login: string, password: string) => directory.authenticate(login, password)),
    verifyPassword: timed((user: Parameters<Directory['verifyPassword']>[0], password: string) => directory.verifyPassword(user, password)),
    findUser: timed((login: string) => directory.findUser(login)),
    findById: timed((id: string) => directory.findById(id)),
    check: timed(() => directory.check()),
    close: () => directory.close(),
  };
};
