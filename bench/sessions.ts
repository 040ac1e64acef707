/**
 * `npm run bench:sessions [-- --store sqlite|postgres|redis] [--runs 50]`: listing and ending a person's sessions.
 *
 * Fills one oidc-provider store, through the adapter as the provider would, with 100,000 sessions spread over 20,000
 * people, one grant each, and one person with 1,000 sessions and 50 grants. Then times `byAccount` (the first page
 * and a deep page for that person, a page for an ordinary one), destroying that person's 1,000 sessions one by one,
 * and listing once they are gone. Every listing is checked, so a wrong index fails the run instead of looking fast.
 * PostgreSQL (a throwaway cluster, as the tests start it) and Redis (a throwaway redis-server) are stopped at the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { AdapterPayload } from 'oidc-provider';
import { configSchema } from '../src/config/schema.ts';
import { createKnex, migrate } from '../src/db/knex.ts';
import type { AccountPage, OidcAdapterClass } from '../src/oidc/adapter/contract.ts';
import { createRedisAdapter } from '../src/oidc/adapter/redis.ts';
import { createSqlAdapter } from '../src/oidc/adapter/sql.ts';
import { systemClock } from '../src/shared/clock.ts';
import { startPostgres } from '../test/support/postgres.ts';
import { median } from './measure.ts';
import { freePort, spawnReady, stop } from './procs.ts';

const { values: opt } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    runs: { type: 'string', default: '50' },
  },
});
const runs = Number(opt.runs);
const ACCOUNTS = 20_000;
const SESSIONS = 100_000;
const HEAVY_SESSIONS = 1_000;
const HEAVY_GRANTS = 50;
const PAGE = 20;
const DAY = 86_400;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** A store to measure, and how to take it down again. */
interface Store {
  Adapter: OidcAdapterClass;
  /** Runs `fill` so that it is not measured by per-write durability (SQLite: one transaction). */
  bulk(fill: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

const sqlStore = async (knex: Knex, cleanup: () => Promise<void>): Promise<Store> => {
  await migrate(knex);
  return {
    Adapter: createSqlAdapter(knex, systemClock),
    async bulk(fill) {
      if (knex.client.dialect === 'postgresql') {
        await fill();
        // Statistics as a long-lived table has them, and no autovacuum of the fresh rows running during the timings.
        await knex.raw('vacuum analyze oidc_payloads');
        return;
      }
      // SQLite has one connection (pool max 1): every upsert of `fill` runs inside this transaction.
      await knex.raw('begin');
      await fill();
      await knex.raw('commit');
    },
    close: async () => {
      await knex.destroy();
      await cleanup();
    },
  };
};

const openStore = async (name: string): Promise<Store> => {
  if (name === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'satu-akun-bench-sessions-'));
    // `npm start`'s database: a file in the data directory, WAL.
    const knex = createKnex(configSchema.parse({ dataDir, database: { client: 'sqlite' } }));
    return sqlStore(knex, async () => rmSync(dataDir, { recursive: true, force: true }));
  }
  if (name === 'postgres') {
    // The test suite's throwaway cluster (fsync off); outside mocha there is nothing to skip, so a missing server throws.
    const server = await startPostgres({ skip: () => { throw new Error('PostgreSQL is not installed'); } } as unknown as Mocha.Context);
    const db = await server.createDatabase();
    const knex = createKnex(configSchema.parse({ database: { client: 'pg', url: db.url } }));
    return sqlStore(knex, async () => {
      await db.drop();
      await server.close();
    });
  }
  if (name === 'redis') {
    const port = await freePort();
    const { child } = await spawnReady('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/);
    const redis = new Redis(`redis://127.0.0.1:${port}`);
    return {
      Adapter: createRedisAdapter(redis),
      bulk: (fill) => fill(),
      close: async () => {
        await redis.quit();
        await stop(child);
      },
    };
  }
  throw new Error(`--store must be sqlite, postgres or redis, not ${name}`);
};

/** Payloads shaped and sized like oidc-provider's own (lib/models/session.js, grant.js). */
const session = (accountId: string, jti: string): AdapterPayload => ({
  jti,
  kind: 'Session',
  uid: randomUUID(),
  accountId,
  loginTs: Math.floor(Date.now() / 1000),
  amr: ['pwd', 'otp'],
  acr: 'urn:satu-akun:acr:2',
  authorizations: { 'portal-kepegawaian': { sid: randomUUID(), grantId: randomUUID(), persistsLogout: false } },
});
const grant = (accountId: string, jti: string): AdapterPayload => ({
  jti,
  kind: 'Grant',
  accountId,
  clientId: 'portal-kepegawaian',
  openid: { scope: 'openid profile email nip kepegawaian', claims: ['sub', 'sid', 'auth_time', 'acr', 'amr'] },
});
/** Between one hour and fourteen days, as sessions of different ages have. */
const ttl = () => 3600 + Math.floor(Math.random() * (14 * DAY - 3600));

/** Runs `jobs` with at most `width` in flight. */
const inParallel = async (jobs: (() => Promise<unknown>)[], width = 64): Promise<void> => {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) await jobs[next++]!();
  }));
};

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (x: number) => x.toFixed(x < 1 ? 3 : 2);

/** Times `op` `count` times after a few unmeasured runs; `check` throws when a result is wrong. */
const time = async <T>(count: number, op: (i: number) => Promise<T>, check: (result: T, i: number) => void, warmup = 5) => {
  for (let i = count; i < count + warmup; i++) check(await op(i), i);
  const took: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const result = await op(i);
    took.push(performance.now() - started);
    check(result, i);
  }
  took.sort((a, b) => a - b);
  return { median: median(took), p95: quantile(took, 0.95), n: count };
};

/** Throws unless `page` has `total` and `size` entries, all of `accountId`. */
const expectPage = (accountId: string, total: number, size: number) => (page: AccountPage) => {
  const stray = page.entries.find((e) => e.payload.accountId !== accountId);
  if (page.total !== total || page.entries.length !== size || stray) {
    throw new Error(`expected ${size} of ${total} entries of ${accountId}, got ${page.entries.length} of ${page.total}${stray ? ` (one of ${String(stray.payload.accountId)})` : ''}`);
  }
};

const store = await openStore(opt.store!);
try {
  const { Adapter } = store;
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `pegawai-${String(i).padStart(5, '0')}`);
  const heavy = 'pegawai-banyak-sesi';
  const heavySessions: string[] = [];
  const started = performance.now();
  await store.bulk(async () => {
    const jobs: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const accountId = accounts[i % ACCOUNTS]!;
      const id = randomUUID();
      jobs.push(() => new Adapter('Session').upsert(id, session(accountId, id), ttl()));
    }
    for (const accountId of accounts) {
      const id = randomUUID();
      jobs.push(() => new Adapter('Grant').upsert(id, grant(accountId, id), ttl()));
    }
    for (let i = 0; i < HEAVY_SESSIONS; i++) {
      const id = randomUUID();
      heavySessions.push(id);
      jobs.push(() => new Adapter('Session').upsert(id, session(heavy, id), ttl()));
    }
    for (let i = 0; i < HEAVY_GRANTS; i++) {
      const id = randomUUID();
      jobs.push(() => new Adapter('Grant').upsert(id, grant(heavy, id), ttl()));
    }
    await inParallel(jobs);
  });
  const entries = SESSIONS + ACCOUNTS + HEAVY_SESSIONS + HEAVY_GRANTS;
  const fillSeconds = (performance.now() - started) / 1000;
  log(`${opt.store}: ${entries.toLocaleString('en')} entries written through upsert in ${fillSeconds.toFixed(1)} s`);

  // The fill leaves a few hundred MB of garbage: an idle second lets the collector finish with it, so that its last
  // mark-compact does not land in the first timed operation (seen with --trace-gc).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // Timings are only comparable on a quiet machine. The 1-minute load still counts the fill (with PostgreSQL or
  // Redis busy beside this process, about 2), so a figure well above that means someone else is using the CPUs.
  const load = loadavg()[0]!;
  const sessions = new Adapter('Session');
  const grants = new Adapter('Grant');
  const ordinary = (i: number) => accounts[(i * 7919) % ACCOUNTS]!; // a different person each run
  const rows: Record<string, string | number>[] = [];
  const row = (operation: string, t: { median: number; p95: number; n: number }) =>
    rows.push({ operation, 'median ms': ms(t.median), 'p95 ms': ms(t.p95), runs: t.n });

  row('first page, 1,000 sessions (limit 20)', await time(runs, () => sessions.byAccount(heavy, { offset: 0, limit: PAGE }), expectPage(heavy, HEAVY_SESSIONS, PAGE)));
  row('deep page, 1,000 sessions (offset 980)', await time(runs, () => sessions.byAccount(heavy, { offset: 980, limit: PAGE }), expectPage(heavy, HEAVY_SESSIONS, PAGE)));
  row('ordinary person, 5 sessions', await time(runs, (i) => sessions.byAccount(ordinary(i), { offset: 0, limit: PAGE }), (page, i) => expectPage(ordinary(i), 5, 5)(page)));
  row('grants, 50 of one person', await time(runs, () => grants.byAccount(heavy, { offset: 0, limit: PAGE }), expectPage(heavy, HEAVY_GRANTS, PAGE)));

  // Ending every session of the person, one destroy each (as signing them out everywhere would), then listing.
  const endAll = performance.now();
  const destroyed = await time(HEAVY_SESSIONS, (i) => sessions.destroy(heavySessions[i]!), () => undefined, 0);
  const endAllMs = performance.now() - endAll;
  row('destroy one of the 1,000 sessions', destroyed);
  row('listing once all are destroyed', await time(runs, () => sessions.byAccount(heavy, { offset: 0, limit: PAGE }), expectPage(heavy, 0, 0)));

  console.log(`\nSatu Akun sessions bench — ${opt.store}, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
  console.log(`store: ${entries.toLocaleString('en')} entries (filled in ${fillSeconds.toFixed(1)} s); all 1,000 sessions destroyed in ${endAllMs.toFixed(0)} ms`);
  console.log(`1-minute load average before the timings (the fill included): ${load.toFixed(2)} on ${cpus().length} CPUs`);
  console.table(rows);
} finally {
  await store.close();
}
