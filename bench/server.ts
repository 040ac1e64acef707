/**
 * The provider under test, as a process of its own so it can be pinned to one core:
 *
 *   taskset -c 0 node --import tsx bench/server.ts [--redis] [--aux-cpu 1] [--ldap-url URL] [--redis-url URL]
 *                                                  [--database-url postgres://…] [--web-apps N]
 *
 * Configuration is `npm start`'s (SQLite in a temp data dir, log level silent, no demo apps) plus the bench apps.
 * The embedded directory and, with `--redis`, a throwaway redis-server are started as separate processes pinned to
 * `--aux-cpu`, unless `--ldap-url` / `--redis-url` point at running ones. Prints `READY <issuer>` once listening;
 * `--count-queries` prints the SQL statements run, by count, at exit and, started with an IPC channel, answers
 * `counts` messages (bench/counts.ts). SIGTERM or SIGINT closes everything it started and removes the temp dir.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app/build.ts';
import { configSchema } from '../src/config/schema.ts';
import { SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD } from '../src/directory/sample/index.ts';
import { benchClients } from './clients.ts';
import { countInServer } from './counts.ts';
import { freePort, pinned, spawnReady, stop } from './procs.ts';

const { values: args } = parseArgs({
  options: {
    redis: { type: 'boolean', default: false },
    'redis-url': { type: 'string' },
    'ldap-url': { type: 'string' },
    'database-url': { type: 'string' },
    'web-apps': { type: 'string', default: '1' },
    'aux-cpu': { type: 'string' },
    'ldap-pool': { type: 'string' },
    port: { type: 'string' },
    'count-queries': { type: 'boolean', default: false },
  },
});
const auxCpu = args['aux-cpu'] === undefined ? undefined : Number(args['aux-cpu']);
const helpers: ChildProcess[] = [];
process.once('exit', () => helpers.forEach((c) => c.kill('SIGKILL')));

let ldapUrl = args['ldap-url'];
if (!ldapUrl) {
  const [cmd, argv] = pinned(auxCpu, process.execPath, ['--import', 'tsx', new URL('./directory.ts', import.meta.url).pathname]);
  const { child, match } = await spawnReady(cmd, argv, /^READY (\S+)/);
  helpers.push(child);
  ldapUrl = match[1]!;
}

let redisUrl = args['redis-url'];
if (!redisUrl && args.redis) {
  const port = await freePort();
  const [cmd, argv] = pinned(auxCpu, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  helpers.push((await spawnReady(cmd, argv, /Ready to accept connections/)).child);
  redisUrl = `redis://127.0.0.1:${port}`;
}

const port = args.port ? Number(args.port) : await freePort();
const dataDir = mkdtempSync(join(tmpdir(), 'satu-akun-bench-'));
const issuer = `http://127.0.0.1:${port}`;
const config = configSchema.parse({
  env: 'test',
  logLevel: 'silent',
  issuer,
  host: '127.0.0.1',
  port,
  dataDir,
  keysDir: join(dataDir, 'keys'),
  demoApps: false,
  ...(redisUrl ? { redisUrl } : {}),
  ...(args['database-url'] ? { database: { client: 'pg', url: args['database-url'] } } : {}),
  directory: {
    mode: 'ldap',
    url: ldapUrl,
    bindDn: SAMPLE_SERVICE_DN,
    bindPassword: SAMPLE_SERVICE_PASSWORD,
    baseDn: SAMPLE_PEOPLE_DN,
    ...(args['ldap-pool'] ? { poolSize: Number(args['ldap-pool']) } : {}),
  },
});

const satu = await buildApp(config, { clients: benchClients(Number(args['web-apps'])) });
const queries = new Map<string, number>();
if (args['count-queries']) satu.knex.on('query', (q: { sql: string }) => queries.set(q.sql, (queries.get(q.sql) ?? 0) + 1));
if (args['count-queries'] && process.send) countInServer(satu.knex, satu.redis);
await satu.listen();
console.log(`READY ${issuer} ${args['database-url'] ? 'pg' : 'sqlite'}${redisUrl ? '+redis' : ''}`);

const shutdown = async () => {
  if (queries.size) {
    const top = [...queries].sort((a, b) => b[1] - a[1]).slice(0, 25);
    console.error(`SQL statements (${[...queries.values()].reduce((a, b) => a + b, 0)} in all):\n${top.map(([sql, n]) => `${String(n).padStart(8)}  ${sql}`).join('\n')}`);
  }
  await satu.close();
  await Promise.all(helpers.map((c) => stop(c)));
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
