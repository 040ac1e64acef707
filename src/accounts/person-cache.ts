import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { Account } from './accounts.repo.ts';

const CHANNEL = 'satu-akun:people-changed';
/** Bounds how stale an instance can be if an invalidation message is lost (Redis restarting, a network split). */
const MAX_AGE_MS = 30_000;
/** A regency has a few thousand staff: enough for every one signed in within the age above, and bounded. */
const MAX_PEOPLE = 20_000;
/** The message that drops every person (a change not tied to one, e.g. an app role grant). */
const EVERYONE = '*';
/** What a change drops: the whole person, or only what they have with apps (consents, app roles). */
type What = 'person' | 'apps';

/** What a person has with apps: the scopes agreed to per app, and the app roles held (with when each ends). */
export interface PersonApps {
  consents: Map<string, string[]>;
  roles: Map<string, { role: string; expiresAt: number | null }[]>;
}

interface Entry {
  at: number;
  account: Account;
  /** Read when first needed, with when: they age on their own, since a sign-in keeps them while renewing the account. */
  apps?: { loading: Promise<PersonApps>; at: number };
}

/**
 * The people signing in now, read from SQL (the source of truth) once and kept in process: their account, their
 * decisions on the first-time notice and their app roles. The sign-in, userinfo, refresh and ID-token paths read a
 * person several times per request and must not pay a query each time (issue 14). Every write to what is cached
 * drops it here at once, again when its transaction ends (a read between the write and the commit may have cached
 * the old value), and on every other instance through Redis; without Redis there is only this instance.
 */
export const createPersonCache = (deps: {
  clock: Clock;
  logger: Logger;
  redis?: Redis;
  /** The consents and app roles of one person, in one statement. */
  loadApps: (account: Account) => Promise<PersonApps>;
  /** Told each time entries are dropped (for the metrics): a change made here, or a message on the channel. */
  invalidated?: (source: 'local' | 'channel') => void;
}) => {
  const bySub = new Map<string, Entry>();
  const subOfDirectory = new Map<string, string>();
  // Dropping bumps a generation, the person's or everyone's: a read that began before must not store what it read.
  // Per person, so one person's sign-in does not void the reads under way for everyone else.
  let everyone = 0;
  const ofPerson = new Map<string, number>();
  const generation = (sub: string) => `${everyone}.${ofPerson.get(sub) ?? 0}`;
  const bump = (sub: string) => {
    if (ofPerson.size >= 4 * MAX_PEOPLE) (ofPerson.clear(), everyone++);
    ofPerson.set(sub, (ofPerson.get(sub) ?? 0) + 1);
  };
  // Messages name the instance that sent them: this one has already dropped (or just stored) what it announces.
  const self = randomBytes(6).toString('base64url');

  const now = () => deps.clock.now().getTime();
  const fresh = (entry: Entry | undefined) => (entry && now() - entry.at < MAX_AGE_MS ? entry : undefined);

  /** Drops what is kept of `key` (a sub, or everyone): the whole person, or only what they have with apps. */
  const forget = (what: What, key: string) => {
    if (key === EVERYONE) everyone++;
    else bump(key);
    if (what === 'apps') {
      for (const entry of key === EVERYONE ? bySub.values() : [bySub.get(key)]) if (entry) delete entry.apps;
      return;
    }
    if (key === EVERYONE) {
      bySub.clear();
      subOfDirectory.clear();
      return;
    }
    const entry = bySub.get(key);
    bySub.delete(key);
    if (entry) subOfDirectory.delete(entry.account.directoryId);
  };

  const announce = (what: What, key: string) => {
    deps.invalidated?.('local');
    if (deps.redis) void deps.redis.publish(CHANNEL, `${self} ${what} ${key}`).catch((err: unknown) => deps.logger.warn({ err }, 'could not announce a change of a person'));
  };

  /** Drops `what` of `key` now and, when `db` is a transaction, once more after it ends; then tells the others. */
  const changed = (what: What, key: string, db?: Knex) => {
    forget(what, key);
    const trx = db as Partial<Knex.Transaction> | undefined;
    if (trx?.isTransaction && trx.executionPromise) {
      void trx.executionPromise.then(
        () => (forget(what, key), announce(what, key)),
        () => forget(what, key),
      );
      return;
    }
    announce(what, key);
  };

  let subscriber: Redis | undefined;

  return {
    /** The cached account of `sub`, fresh enough; undefined when it has to be read. */
    account: (sub: string): Account | undefined => fresh(bySub.get(sub))?.account,

    /** Keeps `account` as just read or written (unless it changed since `since`, its `generation()` taken before the read). */
    keep(account: Account, since: string): void {
      if (since !== generation(account.sub)) return;
      if (bySub.size >= MAX_PEOPLE) forget('person', bySub.keys().next().value!);
      const previous = bySub.get(account.sub);
      // Re-inserting moves the person to the end: the oldest entry is the least recently signed in.
      bySub.delete(account.sub);
      const apps = previous?.account.directoryId === account.directoryId ? previous.apps : undefined;
      bySub.set(account.sub, { at: now(), account, ...(apps && now() - apps.at < MAX_AGE_MS ? { apps } : {}) });
      subOfDirectory.set(account.directoryId, account.sub);
    },

    generation,

    /**
     * Keeps `account` as a sign-in just committed it, over anything cached or being read, and tells the others; with
     * `apps` when the sign-in read them too.
     */
    put(account: Account, apps?: PersonApps): void {
      // Reads under way may carry the account as it was: they must not store it over this one. What the person has
      // with apps is not changed by signing in, and stays.
      bump(account.sub);
      this.keep(account, generation(account.sub));
      if (apps) bySub.get(account.sub)!.apps = { loading: Promise.resolve(apps), at: now() };
      announce('person', account.sub);
    },

    /** The person's consents and app roles, read once per entry; undefined when the person is not cached. */
    apps(sub: string): Promise<PersonApps> | undefined {
      const entry = fresh(bySub.get(sub));
      if (!entry) return undefined;
      if (!entry.apps || now() - entry.apps.at >= MAX_AGE_MS) {
        const since = generation(sub);
        const apps = { loading: deps.loadApps(entry.account), at: now() };
        entry.apps = apps;
        // A failed read, or one that a change overtook, is not kept.
        const drop = () => entry.apps === apps && delete entry.apps;
        apps.loading.then(() => since !== generation(sub) && drop(), drop);
      }
      return entry.apps.loading;
    },

    /** The sub of a cached directory identity. */
    subOf: (directoryId: string): string | undefined => subOfDirectory.get(directoryId),

    /** Call on every write to a person's account (with the transaction it was made in). */
    changed: (sub: string, db?: Knex) => changed('person', sub, db),
    /** Call on every write to a person's notice decisions: their account stays. */
    changedApps: (sub: string, db?: Knex) => changed('apps', sub, db),
    /** Call on a write that may concern anyone's apps (app role grants). */
    changedAll: (db?: Knex) => changed('apps', EVERYONE, db),

    async start(): Promise<void> {
      if (!deps.redis) return;
      subscriber = deps.redis.duplicate();
      subscriber.on('error', (err: Error) => deps.logger.warn({ err: err.message }, 'people invalidation channel error'));
      subscriber.on('message', (_channel: string, message: string) => {
        const [from, what, key = EVERYONE] = message.split(' ');
        if (from === self) return;
        forget(what === 'apps' ? 'apps' : 'person', key);
        deps.invalidated?.('channel');
      });
      // After a reconnect messages may have been missed: start afresh.
      subscriber.on('ready', () => (forget('person', EVERYONE), deps.invalidated?.('channel')));
      await subscriber.connect();
      await subscriber.subscribe(CHANNEL);
    },
    async close(): Promise<void> {
      await subscriber?.quit().catch(() => undefined);
    },
  };
};

export type PersonCache = ReturnType<typeof createPersonCache>;

type Method = (...args: never[]) => Promise<unknown>;
const transactionOf = (args: unknown[]): Knex | undefined => {
  const last: unknown = args.at(-1);
  return typeof last === 'function' && (last as { isTransaction?: boolean }).isTransaction ? (last as Knex) : undefined;
};

/**
 * `repo` with each of `writes` telling the cache, once the write is done, whom it changed: the person named by its
 * first argument (a sub), or everyone. A write in a transaction is told again when the transaction ends.
 */
export const invalidating = <R extends Record<string, unknown>>(repo: R, writes: readonly (keyof R)[], changed: (args: unknown[], db: Knex | undefined) => void): R => {
  const wrapped: Record<string, unknown> = { ...repo };
  for (const name of writes) {
    const write = repo[name] as unknown as Method;
    wrapped[name as string] = async (...args: never[]) => {
      const result = await write(...args);
      changed(args, transactionOf(args));
      return result;
    };
  }
  return wrapped as R;
};
