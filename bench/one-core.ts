/**
 * `--layout one-core`: the provider, its PostgreSQL, its Redis and an OpenLDAP slapd with 2,000 staff all on the
 * server CPU (one small VM), the load generator alone on the other; then the bare oidc-provider engine
 * (bench/bare.ts) with the same Redis and slapd on the same CPU, measured with the same scenarios.
 */
import { Redis } from 'ioredis';
import { SAMPLE_PASSWORD } from '../src/directory/sample/index.ts';
import { webAppId } from './clients.ts';
import { withRedisServer } from './counts.ts';
import { log, measure, startServer, type MeasureSpec, type Server } from './harness.ts';
import type { Round } from './measure.ts';
import { rssMb, stop } from './procs.ts';
import { clientCredentials, firstSignIn, refresh, signIn, userinfo } from './scenarios.ts';
import { startServices, type Services } from './services.ts';

export const ONE_CORE_METRICS = {
  signIn: 'full sign-ins/s (returning)',
  firstSignIn: 'first sign-in to an app/s (notice accepted)',
  clientCredentials: 'client-credentials grants/s',
  refresh: 'refresh (rotating)/s',
  userinfo: 'userinfo/s',
} as const;
export type OneCoreMetric = keyof typeof ONE_CORE_METRICS;

export interface OneCoreOptions {
  spec: Omit<MeasureSpec, 'label' | 'workers'>;
  workers: Record<OneCoreMetric, number>;
  people: number;
  webApps: number;
  durable: boolean;
  only: OneCoreMetric[] | undefined;
  /** Node.js options for Satu Akun's server: `--cpu-prof` with `--profile`, and each `--node-flag`. */
  nodeArgs: string[];
  ldapPool: string | undefined;
}

export interface EngineResult {
  rssIdleMb: number;
  rssPeakMb: number;
  rssHwmMb: number;
  metrics: Partial<Record<OneCoreMetric, Round[]>>;
}

/** Runs `op` over `items` with `workers` concurrent loops (unmeasured preparation). */
const each = async <T>(items: T[], workers: number, op: (item: T) => Promise<unknown>) => {
  const queue = [...items];
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await op(item);
  }));
};

/** Every scenario against one running server. */
const scenarios = async (o: OneCoreOptions, server: Server, services: Services, stats: Redis): Promise<EngineResult> => {
  const { issuer, pid } = server;
  const logins = services.logins;
  const extras = { group: () => [pid, ...services.pids()], counts: withRedisServer(server.counts, stats) };
  const wanted = (m: OneCoreMetric) => !o.only || o.only.includes(m);
  const run = (m: OneCoreMetric, op: (w: number, i: number) => Promise<unknown>) => measure({ ...o.spec, label: ONE_CORE_METRICS[m], workers: o.workers[m] }, pid, op, extras);
  await new Promise((r) => setTimeout(r, 2000)); // let start-up work settle before the idle reading
  const out: EngineResult = { rssIdleMb: rssMb(pid).rss, rssPeakMb: 0, rssHwmMb: 0, metrics: {} };

  // Unmeasured: everyone signs in to bench-web once and accepts its notice, so accounts exist and sign-ins to it
  // are returning ones; the first-sign-in scenario then uses the other web apps.
  const t0 = Date.now();
  await each(logins, o.workers.signIn, (login) => firstSignIn(issuer, login, SAMPLE_PASSWORD, webAppId(1)));
  log(`  preparation: ${logins.length} people signed in to bench-web for the first time (notice accepted) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  if (wanted('signIn')) out.metrics.signIn = await run('signIn', () => signIn(issuer, logins[Math.floor(Math.random() * logins.length)]!, SAMPLE_PASSWORD));
  if (wanted('firstSignIn')) {
    // Pair k: person k mod N with app 2 + floor(k / N), so no pair is ever used twice.
    let k = 0;
    const capacity = logins.length * (o.webApps - 1);
    out.metrics.firstSignIn = await run('firstSignIn', () => {
      const pair = k++;
      if (pair >= capacity) throw new Error(`no person/app pair left: raise --web-apps (now ${o.webApps})`);
      return firstSignIn(issuer, logins[pair % logins.length]!, SAMPLE_PASSWORD, webAppId(2 + Math.floor(pair / logins.length)));
    });
  }
  if (wanted('clientCredentials')) out.metrics.clientCredentials = await run('clientCredentials', () => clientCredentials(issuer));
  const tokensOf = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => signIn(issuer, logins[i % logins.length]!, SAMPLE_PASSWORD)));
  if (wanted('refresh')) {
    const tokens = (await tokensOf(o.workers.refresh)).map((t) => t.refreshToken!);
    out.metrics.refresh = await run('refresh', async (w) => (tokens[w] = (await refresh(issuer, tokens[w]!)).refreshToken));
  }
  if (wanted('userinfo')) {
    const tokens = (await tokensOf(o.workers.userinfo)).map((t) => t.accessToken);
    out.metrics.userinfo = await run('userinfo', (w) => userinfo(issuer, tokens[w]!));
  }
  const rounds = Object.values(out.metrics).flat();
  out.rssPeakMb = Math.max(out.rssIdleMb, ...rounds.map((r) => r.rssPeakMb));
  out.rssHwmMb = rssMb(pid).hwm;
  return out;
};

export const runOneCore = async (o: OneCoreOptions, multiCore: boolean): Promise<Record<'satu-akun' | 'bare', EngineResult>> => {
  const cpu = multiCore ? o.spec.serverCpu : undefined;
  log(`one-core: starting PostgreSQL (${o.durable ? 'fsync on' : 'fsync off'}), redis-server and slapd (${o.people} staff) on CPU ${o.spec.serverCpu}`);
  const services = await startServices({ cpu, thenCpu: multiCore ? o.spec.auxCpu : undefined, people: o.people, postgres: true, durable: o.durable });
  const results: Partial<Record<'satu-akun' | 'bare', EngineResult>> = {};
  const stats = new Redis(services.redisUrl);
  let server: Server | undefined;
  const cleanup = () => server?.child.kill('SIGTERM');
  process.once('SIGINT', cleanup);
  try {
    const db = await services.postgres!.createDatabase();
    const common = ['--redis-url', services.redisUrl, '--ldap-url', services.slapd.url, '--web-apps', String(o.webApps)];
    log('engine: Satu Akun (PostgreSQL + Redis + slapd)');
    server = await startServer('./server.ts', [...common, '--database-url', db.url, '--count-queries', ...(o.ldapPool ? ['--ldap-pool', o.ldapPool] : [])], { cpu, nodeArgs: o.nodeArgs, readyPath: '/readyz' });
    results['satu-akun'] = await scenarios(o, server, services, stats);
    await stop(server.child);
    await services.stopPostgres();

    // The engine starts from an empty Redis, as Satu Akun did.
    await stats.flushall();
    log('engine: bare oidc-provider (Redis + slapd)');
    server = await startServer('./bare.ts', common, { cpu, readyPath: '/.well-known/openid-configuration' });
    results.bare = await scenarios(o, server, services, stats);
    await stop(server.child);
  } finally {
    process.off('SIGINT', cleanup);
    if (server) await stop(server.child);
    await stats.quit();
    await services.close();
  }
  return results as Record<'satu-akun' | 'bare', EngineResult>;
};
