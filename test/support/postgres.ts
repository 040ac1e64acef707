import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'mocha';
import pg from 'pg';
import { serviceMissing } from './require-service.ts';
import { detach, findExecutable, freePort, waitForOutput, watchdog, type TestService } from './processes.ts';

/** A PostgreSQL server for the test run; `url` names a database created for it. */
export interface PostgresService extends TestService {
  /** The postmaster's process id when this run started the server (its backends are its children). */
  pid?: number;
  /** Creates an empty database of its own (so a test may drop every table) and returns its URL and a way to drop it. */
  createDatabase(): Promise<{ url: string; drop(): Promise<void> }>;
}

const run = promisify(execFile);

/** Debian installs the server outside PATH, under /usr/lib/postgresql/<major>/bin; the newest major wins. */
export const findPostgresBinDir = (): string | undefined => {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const postgres = findExecutable('postgres', [process.env.PG_BIN ?? '', ...majors.map((m) => join(root, m, 'bin'))]);
  return postgres && existsSync(join(postgres, '..', 'initdb')) ? join(postgres, '..') : undefined;
};

/** PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user. */
const serverUser = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
};

const withClient = async <T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
};

const databaseUrl = (serverUrl: string, name: string): string => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

const createDatabaseOn = (serverUrl: string) => async () => {
  const name = `satu_akun_test_${Math.random().toString(36).slice(2, 10)}`;
  // The name is generated above from [a-z0-9_], so interpolating it into DDL (which takes no parameters) is safe.
  await withClient(serverUrl, (c) => c.query(`create database ${name}`));
  return {
    url: databaseUrl(serverUrl, name),
    drop: async () => {
      await withClient(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
};

let shared: Promise<PostgresService> | undefined;

/**
 * Starts a throwaway cluster in a temporary directory. The tests run it without durability (`fsync`,
 * `synchronous_commit` and `full_page_writes` off); `durable` keeps PostgreSQL's defaults, as the benchmark does.
 */
export const startPostgresCluster = async (binDir: string, cluster: { durable?: boolean } = {}): Promise<PostgresService> => {
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'satu-akun-pg-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  if (user) for (const path of [dir, data]) chownSync(path, user.uid, user.gid);
  watchdog(dir, join(data, 'postmaster.pid'), 'QUIT');
  // cwd inside the temp dir: the postgres user may not be allowed into the caller's working directory.
  const options = { cwd: dir, ...user };
  const initdb = ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--locale=C', '-E', 'UTF8'];
  await run(join(binDir, 'initdb'), initdb, options);
  const port = await freePort();
  const settings = ['listen_addresses=127.0.0.1', ...(cluster.durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'])];
  const args = ['-D', data, '-p', String(port), '-k', dir, ...settings.flatMap((s) => ['-c', s])];
  const child = spawn(join(binDir, 'postgres'), args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  // mocha --exit ends the process without `after` hooks; `exit` handlers still run. SIGQUIT is an immediate shutdown;
  // the watchdog removes the directory once the server is gone, which this exiting process cannot wait for.
  const kill = () => child.kill('SIGQUIT');
  process.on('exit', kill);
  try {
    await waitForOutput(child, /database system is ready to accept connections/, 30_000);
  } catch (error) {
    process.off('exit', kill);
    kill();
    throw error;
  }
  detach(child);
  const serverUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const url = databaseUrl(serverUrl, 'satu_akun_test');
  await withClient(serverUrl, (c) => c.query('create database satu_akun_test'));
  return {
    url,
    pid: child.pid!,
    createDatabase: createDatabaseOn(serverUrl),
    close: async () => {
      process.off('exit', kill);
      shared = undefined;
      if (child.exitCode === null) {
        child.kill('SIGINT'); // fast shutdown: disconnects clients, no waiting for them
        child.ref(); // detached: without this, a caller with nothing else pending would end before the server
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/**
 * A real PostgreSQL for this test run: `TEST_PG_URL` (a server where the user may create databases) if set, else a
 * throwaway cluster on a free port, started once and shared by every test file. Call from a `before` hook; skips
 * (or fails under CI) when PostgreSQL is not installed.
 */
export const startPostgres = async (ctx: Context): Promise<PostgresService> => {
  const given = process.env.TEST_PG_URL;
  if (given) return { url: given, close: async () => {}, createDatabase: createDatabaseOn(given) };
  const binDir = findPostgresBinDir();
  if (!binDir) return serviceMissing(ctx, 'postgres', 'initdb/postgres not found (Debian package postgresql)');
  shared ??= startPostgresCluster(binDir).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
};
