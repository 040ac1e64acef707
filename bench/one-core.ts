/**
 * `--layout one-core`: the provider, its PostgreSQL, its Redis and an OpenLDAP slapd with 2,000 staff all on the
 * server CPU (one small VM), the load generator alone on the other; beside it the bare oidc-provider engine
 * (bench/bare.ts) with the same Redis and slapd on the same CPU, measured with the same scenarios, in turns.
 */
import { Redis } from 'ioredis';
import { SAMPLE_PASSWORD } from '../src/directory/sample/index.ts';
import { webAppId } from './clients.ts';
import { withRedisServer } from './counts.ts';
import { log, measuredRound, startServer, warmUp, type MeasureSpec, type Server } from './harness.ts';
import type { Round, RoundExtras } from './measure.ts';
import { processTree, rssMb, stop } from './procs.ts';
import { clientCredentials, firstSignIn, refresh, signIn, userinfo } from './scenarios.ts';
import { startServices } from './services.ts';

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

type EngineName = 'satu-akun' | 'bare';

/** One of the two servers under test, with the processes that are its own (Satu Akun's PostgreSQL is). */
interface Engine {
  name: EngineName;
  server: Server;
  own: () => number[];
  extras: RoundExtras;
  result: EngineResult;
}

/** Stops or continues every process of the trees rooted at `pids` (ignoring those that ended). */
const signalTree = (pids: number[], signal: 'SIGSTOP' | 'SIGCONT') => {
  for (const pid of processTree(pids)) {
    try {
      process.kill(pid, signal);
    } catch {
      // ended meanwhile
    }
  }
};

/**
 * Both engines run at once and are measured in turns, round by round, so a change in the machine's speed during the
 * run (a busy neighbour of the VM) touches both alike and each ratio compares rounds a few seconds apart. The engine
 * not being measured is stopped (SIGSTOP, with Satu Akun's PostgreSQL), so its timers, checkpoints and vacuum take
 * nothing from the other's rounds; after it continues, a second passes before it is measured (timers due meanwhile
 * run, idle keep-alive connections close).
 */
const turns = (engines: Engine[]) => {
  let active: Engine | undefined;
  return async (engine: Engine) => {
    if (active === engine) return;
    for (const other of engines) if (other !== engine) signalTree(other.own(), 'SIGSTOP');
    signalTree(engine.own(), 'SIGCONT');
    active = engine;
    await new Promise((r) => setTimeout(r, 1000));
  };
};

/** Every scenario against both engines, in turns (see `turns`). */
const scenarios = async (o: OneCoreOptions, engines: Engine[], logins: string[]): Promise<void> => {
  const use = turns(engines);
  const wanted = (m: OneCoreMetric) => !o.only || o.only.includes(m);
  const spec = (m: OneCoreMetric, e: Engine) => ({ ...o.spec, label: `${ONE_CORE_METRICS[m]} [${e.name}]`, workers: o.workers[m] });

  for (const e of engines) {
    await use(e);
    await new Promise((r) => setTimeout(r, 2000)); // let start-up work settle before the idle reading
    e.result.rssIdleMb = rssMb(e.server.pid).rss;
    // Unmeasured: everyone signs in to bench-web once and accepts its notice, so accounts exist and sign-ins to it
    // are returning ones; the first-sign-in scenario then uses the other web apps.
    const t0 = Date.now();
    await each(logins, o.workers.signIn, (login) => firstSignIn(e.server.issuer, login, SAMPLE_PASSWORD, webAppId(1)));
    log(`  ${e.name}: ${logins.length} people signed in to bench-web for the first time (notice accepted) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  /** Warm-up of each engine, then round 1 of each, round 2 of each, and so on; the first engine of a round alternates. */
  const run = async (m: OneCoreMetric, opFor: (e: Engine) => Promise<(w: number, i: number) => Promise<unknown>>) => {
    const ops = new Map<Engine, (w: number, i: number) => Promise<unknown>>();
    for (const e of engines) {
      await use(e);
      ops.set(e, await opFor(e));
      await warmUp(spec(m, e), e.server.pid, ops.get(e)!, e.extras);
    }
    for (let r = 1; r <= o.spec.rounds; r++) {
      for (const e of r % 2 ? engines : [...engines].reverse()) {
        await use(e);
        const res = await measuredRound(spec(m, e), r, e.server.pid, ops.get(e)!, e.extras);
        (e.result.metrics[m] ??= []).push(res);
      }
    }
  };

  if (wanted('signIn')) await run('signIn', async (e) => () => signIn(e.server.issuer, logins[Math.floor(Math.random() * logins.length)]!, SAMPLE_PASSWORD));
  if (wanted('firstSignIn')) {
    // Pair k: person k mod N with app 2 + floor(k / N), so no pair is ever used twice on an engine.
    const capacity = logins.length * (o.webApps - 1);
    await run('firstSignIn', async (e) => {
      let k = 0;
      return () => {
        const pair = k++;
        if (pair >= capacity) throw new Error(`no person/app pair left: raise --web-apps (now ${o.webApps})`);
        return firstSignIn(e.server.issuer, logins[pair % logins.length]!, SAMPLE_PASSWORD, webAppId(2 + Math.floor(pair / logins.length)));
      };
    });
  }
  if (wanted('clientCredentials')) await run('clientCredentials', async (e) => () => clientCredentials(e.server.issuer));
  const tokensOf = (e: Engine, n: number) => Promise.all(Array.from({ length: n }, (_, i) => signIn(e.server.issuer, logins[i % logins.length]!, SAMPLE_PASSWORD)));
  if (wanted('refresh')) {
    await run('refresh', async (e) => {
      const tokens = (await tokensOf(e, o.workers.refresh)).map((t) => t.refreshToken!);
      return async (w) => (tokens[w] = (await refresh(e.server.issuer, tokens[w]!)).refreshToken);
    });
  }
  if (wanted('userinfo')) {
    await run('userinfo', async (e) => {
      const tokens = (await tokensOf(e, o.workers.userinfo)).map((t) => t.accessToken);
      return (w) => userinfo(e.server.issuer, tokens[w]!);
    });
  }
  for (const e of engines) {
    const rounds = Object.values(e.result.metrics).flat();
    e.result.rssPeakMb = Math.max(e.result.rssIdleMb, ...rounds.map((r) => r.rssPeakMb));
    e.result.rssHwmMb = rssMb(e.server.pid).hwm;
  }
};

export const runOneCore = async (o: OneCoreOptions, multiCore: boolean): Promise<Record<EngineName, EngineResult>> => {
  const cpu = multiCore ? o.spec.serverCpu : undefined;
  log(`one-core: starting PostgreSQL (${o.durable ? 'fsync on' : 'fsync off'}), redis-server and slapd (${o.people} staff) on CPU ${o.spec.serverCpu}`);
  const services = await startServices({ cpu, thenCpu: multiCore ? o.spec.auxCpu : undefined, people: o.people, durable: o.durable });
  const stats = new Redis(services.redisUrl);
  const engines: Engine[] = [];
  const continueAll = () => signalTree(engines.flatMap((e) => e.own()), 'SIGCONT');
  const cleanup = () => (continueAll(), engines.forEach((e) => e.server.child.kill('SIGTERM')));
  process.once('SIGINT', cleanup);
  try {
    const db = await services.postgres.createDatabase();
    const pg = services.postgres.pid;
    const common = ['--redis-url', services.redisUrl, '--ldap-url', services.slapd.url, '--web-apps', String(o.webApps)];
    const engine = (name: EngineName, server: Server, own: number[]): Engine => ({
      name,
      server,
      own: () => [server.pid, ...own],
      // slapd and Redis serve both; PostgreSQL, stopped while the bare engine is measured, adds nothing to its rounds.
      extras: { group: () => [server.pid, ...services.pids()], counts: withRedisServer(server.counts, stats) },
      result: { rssIdleMb: 0, rssPeakMb: 0, rssHwmMb: 0, metrics: {} },
    });
    log('engines: Satu Akun (PostgreSQL + Redis + slapd) and the bare oidc-provider (Redis + slapd), measured in turns');
    const satu = await startServer('./server.ts', [...common, '--database-url', db.url, '--count-queries', ...(o.ldapPool ? ['--ldap-pool', o.ldapPool] : [])], { cpu, nodeArgs: o.nodeArgs, readyPath: '/readyz' });
    engines.push(engine('satu-akun', satu, pg ? [pg] : []));
    const bare = await startServer('./bare.ts', common, { cpu, readyPath: '/.well-known/openid-configuration' });
    engines.push(engine('bare', bare, []));
    await scenarios(o, engines, services.logins);
  } finally {
    process.off('SIGINT', cleanup);
    continueAll();
    for (const e of engines) await stop(e.server.child);
    await stats.quit();
    await services.close();
  }
  return Object.fromEntries(engines.map((e) => [e.name, e.result])) as Record<EngineName, EngineResult>;
};
