import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { AndFilter, Client, type Entry, EqualityFilter, type Filter, FilterParser, InvalidCredentialsError, OrFilter, ResultCodeError } from 'ldapts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../shared/logger.ts';
import { type Directory, type DirectoryUser, DirectoryUnavailableError, normaliseLogin } from './directory.ts';
import { identifierValue, requestedAttributes, toDirectoryUser } from './ldap-entry.ts';

type Options = Config['directory'];

/** Idle connections kept open; a burst beyond `size` opens extra connections that are closed after use. */
interface Pool {
  /** A ready client and whether it was used before (only a reused connection can have gone stale). */
  take(): Promise<{ client: Client; reused: boolean }>;
  give(client: Client): void;
  discard(client: Client): void;
  close(): Promise<void>;
}

const quietly = (client: Client) => client.unbind().catch(() => undefined);

/**
 * At most `size` connections, each bound once and reused. A request that finds none free waits for one to be given
 * back (first come, first served) rather than opening another: under load, a connection (and, for searches, a service
 * bind) per request beyond the pool cost more than the search itself (issue 14), and the directory sees a steady
 * number of connections. Waiting longer than `waitMs` fails like the directory being down.
 */
const createPool = (size: number, open: () => Promise<Client>, usable: (c: Client) => boolean, waitMs: number): Pool => {
  const idle: Client[] = [];
  const waiting: ((client: Client | undefined | Error) => void)[] = [];
  let opened = 0;
  let closed = false;
  const drop = (client: Client) => {
    opened--;
    void quietly(client);
    // A waiter may now open a connection of its own.
    waiting.shift()?.(undefined);
  };
  const wait = () =>
    new Promise<Client | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(handOver), 1);
        reject(new Error(`no directory connection free after ${waitMs} ms`));
      }, waitMs);
      const handOver = (client: Client | undefined | Error) => {
        clearTimeout(timer);
        if (client instanceof Error) reject(client);
        else resolve(client);
      };
      waiting.push(handOver);
    });
  return {
    async take() {
      for (;;) {
        if (closed) throw new Error('the directory connection pool is closed');
        for (let client = idle.pop(); client; client = idle.pop()) {
          // ldapts silently reconnects a dropped connection unauthenticated (and without StartTLS): never use one.
          if (usable(client)) return { client, reused: true };
          drop(client);
        }
        if (opened < size) {
          opened++;
          try {
            return { client: await open(), reused: false };
          } catch (error) {
            opened--;
            waiting.shift()?.(undefined);
            throw error;
          }
        }
        const handed = await wait();
        if (handed && usable(handed)) return { client: handed, reused: true };
        if (handed) drop(handed);
      }
    },
    give(client) {
      if (closed || !usable(client)) return drop(client);
      const next = waiting.shift();
      if (next) next(client);
      else idle.push(client);
    },
    discard: drop,
    async close() {
      closed = true;
      for (const handOver of waiting.splice(0)) handOver(new Error('the directory connection pool is closed'));
      opened -= idle.length;
      await Promise.all(idle.splice(0).map(quietly));
    },
  };
};

const ERRORS_WORTH_A_RETRY = /closed|reset|EPIPE|ECONNRESET|not established/i;

/**
 * The staff directory over LDAP (OpenLDAP, Active Directory, 389-DS) with ldapts. A sign-in costs one search on a
 * pooled connection bound as the service account and one bind on a pooled connection kept for user binds (two pools of
 * at most `poolSize` connections each).
 */
export const createLdapDirectory = (options: Options, logger: Logger): Directory => {
  const log = logger.child({ component: 'directory' });
  const url = new URL(options.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const tlsOptions: ConnectionOptions = {
    rejectUnauthorized: options.tlsRejectUnauthorized,
    // Read once at creation so a wrong path fails at start-up, not at the first sign-in.
    ...(options.tlsCaFile ? { ca: readFileSync(options.tlsCaFile) } : {}),
    // SNI must be a name; with an IP address the certificate is checked against `host` instead.
    ...(isIP(host) ? { host } : { host, servername: host }),
  };
  const userFilter: Filter | undefined = options.userFilter.trim() ? FilterParser.parseString(options.userFilter.trim()) : undefined;
  const attributes = requestedAttributes(options.attributes, options.loginAttributes);
  // ldapts matches explicitBufferAttributes case-sensitively against the server's spelling, so give both.
  const bufferAttributes = [...new Set([options.attributes.id, options.attributes.id.toLowerCase()])];

  const withTimeout = <T>(promise: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
  };

  /** A connected client; ldaps is TLS from the first byte, `startTls` upgrades before any credentials are sent. */
  const connect = async (): Promise<Client> => {
    const client = new Client({
      url: options.url,
      timeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
      // Only for ldaps: ldapts treats any tlsOptions as "connect with TLS", which would break StartTLS.
      ...(url.protocol === 'ldaps:' ? { tlsOptions } : {}),
    });
    try {
      // The TLS handshake after the StartTLS response has no timeout of its own in ldapts.
      if (options.startTls) await withTimeout(client.startTLS({ ...tlsOptions }), 'StartTLS');
      return client;
    } catch (error) {
      void quietly(client);
      throw error;
    }
  };

  const bindService = async (client: Client) => {
    await client.bind(options.bindDn, options.bindPassword);
    return client;
  };

  const searchPool = createPool(
    options.poolSize,
    async () => {
      const client = await connect();
      try {
        return await bindService(client);
      } catch (error) {
        void quietly(client);
        throw error;
      }
    },
    (c) => c.isBound,
    options.timeoutMs,
  );
  const bindPool = createPool(options.poolSize, connect, (c) => c.isConnected || !options.startTls, options.timeoutMs);

  /** Runs `op` on a pooled client; a reused connection that turns out dead is replaced once. */
  const run = async <T>(pool: Pool, op: (client: Client) => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const { client, reused } = await pool.take();
      try {
        const result = await op(client);
        pool.give(client);
        return result;
      } catch (error) {
        if (error instanceof ResultCodeError) {
          pool.give(client);
          throw error;
        }
        pool.discard(client);
        if (!reused || attempt > 0 || !ERRORS_WORTH_A_RETRY.test(String((error as Error).message))) throw error;
        log.debug({ err: (error as Error).message }, 'pooled LDAP connection failed, retrying on a fresh one');
      }
    }
  };

  const unavailable = (what: string, error: unknown): DirectoryUnavailableError => {
    if (error instanceof DirectoryUnavailableError) return error;
    const reason = error instanceof ResultCodeError ? `${error.name} (${error.code})` : String((error as Error)?.message ?? error);
    log.debug({ what, reason }, 'directory unavailable');
    return new DirectoryUnavailableError(`directory ${what} failed: ${reason}`, { cause: error });
  };

  /** One search under the base DN for entries that match `match` and the configured user filter. */
  const search = async (match: Filter) => {
    const filter = userFilter ? new AndFilter({ filters: [userFilter, match] }) : match;
    const { searchEntries } = await run(searchPool, (c) =>
      // sizeLimit 2 is enough to tell "one" from "ambiguous" without reading a whole subtree.
      c.search(options.baseDn, { scope: 'sub', filter, attributes, explicitBufferAttributes: bufferAttributes, sizeLimit: 2 }),
    ).catch((error) => Promise.reject(unavailable('search', error)));
    return searchEntries;
  };

  const toUser = (entry: Entry): DirectoryUser => {
    const user = toDirectoryUser(entry, options.attributes, options.loginAttributes, options.agencyCodes);
    if (!user) throw unavailable('mapping', new Error(`entry ${entry.dn} has no ${options.attributes.id} attribute`));
    return user;
  };

  /** One search for `login` over every login attribute; exactly one match or none. */
  const lookup = async (login: string): Promise<DirectoryUser | null> => {
    const value = normaliseLogin(login);
    if (!value || value.length > 256) return null;
    // Filter objects are sent as BER, never as text, so `*)(uid=*` is just a value: no injection possible.
    const searchEntries = await search(new OrFilter({ filters: options.loginAttributes.map((attribute) => new EqualityFilter({ attribute, value })) }));
    if (searchEntries.length > 1) {
      log.warn({ login: value, dns: searchEntries.map((e) => e.dn) }, 'login matches more than one directory entry; refused');
      return null;
    }
    const entry = searchEntries[0];
    if (!entry) return null;
    const user = toUser(entry);
    log.debug({ login: value, dn: user.dn }, 'directory user found');
    return user;
  };

  /** One search for the stable id; `null` only when the directory answered that nobody has it. */
  const byId = async (id: string): Promise<DirectoryUser | null> => {
    const attribute = options.attributes.id;
    const searchEntries = await search(new EqualityFilter({ attribute, value: identifierValue(id, attribute) }));
    // Ids are unique in any sane directory; two matches mean a misconfigured id attribute, and "gone" would be the
    // wrong answer to give for someone the directory plainly knows.
    if (searchEntries.length > 1) {
      log.warn({ id, dns: searchEntries.map((e) => e.dn) }, 'directory id matches more than one entry; is the id attribute right?');
      throw unavailable('search', new Error(`${attribute} ${id} matches more than one entry`));
    }
    const entry = searchEntries[0];
    return entry ? toUser(entry) : null;
  };

  /** Binds as `dn`; `false` only for rejected credentials (any refusal for the decoy), else the directory failed. */
  const verify = async (dn: string, password: string, decoy = false): Promise<boolean> => {
    try {
      await run(bindPool, (c) => c.bind(dn, password));
      return !decoy;
    } catch (error) {
      if (error instanceof InvalidCredentialsError || (decoy && error instanceof ResultCodeError)) return false;
      throw unavailable('bind', error);
    }
  };

  return {
    async authenticate(login, password) {
      // An empty password would be an unauthenticated bind (RFC 4513 5.1.2), which many servers accept: never send it.
      if (!password) return null;
      const user = await lookup(login);
      return (await this.verifyPassword(user, password)) ? user : null;
    },
    async verifyPassword(user, password) {
      if (!password) return false;
      // An unknown login still costs a (failing) bind, so its timing does not reveal which accounts exist.
      const ok = await verify(user?.dn ?? `cn=satu-akun-no-such-user,${options.baseDn}`, password, !user);
      log.debug({ found: !!user, ok }, 'password verification');
      return !!user && ok;
    },
    findUser: (login) => lookup(login),
    findById: (id) => byId(id),
    async check() {
      // A fresh connection and bind, so a changed service password shows up even while pooled connections live on.
      let client: Client | undefined;
      try {
        client = await connect();
        await bindService(client);
        await client.search(options.baseDn, { scope: 'base', attributes: ['1.1'] });
      } catch (error) {
        throw unavailable('check', error);
      } finally {
        if (client) await quietly(client);
      }
    },
    async close() {
      await Promise.all([searchPool.close(), bindPool.close()]);
    },
  };
};
