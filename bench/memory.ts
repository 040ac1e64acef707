/**
 * Idle memory of the provider process (issue 14: RSS idle ≤ 120 MB):
 *
 *   npm run bench:memory                      # `npm start`'s defaults: SQLite, embedded directory, demo apps
 *   npm run bench:memory -- --store postgres  # production-shaped: PostgreSQL + Redis, an LDAP directory elsewhere
 *   npm run bench:memory -- --store both --idle 5 --gc --node-flag=--max-semi-space-size=2
 *
 * Starts `node --import tsx src/main.ts` as the systemd unit does (plus `bench/memory-probe.ts`, which counts modules
 * and reports on SIGUSR2), waits for its ready line, lets it idle, then prints what the probe saw. `--gc` adds a row
 * after two forced full collections (what is live rather than not yet collected). PostgreSQL is the test suite's
 * throwaway cluster; Redis and the sample directory run as processes of their own, so they are not in the figures.
 * `--cold` gives the provider an empty TMPDIR, so tsx finds no compile cache, as under the unit's PrivateTmp=true.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { startPostgres } from '../test/support/postgres.ts';
import { freePort, spawnReady, stop } from './procs.ts';

const GOAL_MB = 120;
const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    idle: { type: 'string', default: '5' },
    gc: { type: 'boolean', default: false },
    cold: { type: 'boolean', default: false },
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});
const root = new URL('..', import.meta.url).pathname;
const stores = args.store === 'both' ? ['sqlite', 'postgres'] : [args.store];
for (const s of stores) if (s !== 'sqlite' && s !== 'postgres') throw new Error(`--store must be sqlite, postgres or both, not ${s}`);

interface Figures {
  label: string;
  rssKb: number;
  hwmKb: number;
  threads: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  codeSpace: number;
  anonKb: number;
  fileKb: number;
  loaderThread?: { heapUsed: number; heapTotal: number };
  addons: string[];
  modules: { count: number; top: [string, number][] };
}

/** Resident memory of a process's descendants (tsx's esbuild service, if it ran), by pid and name. */
const descendants = (pid: number): { pid: number; name: string; rssKb: number }[] => {
  let children: number[] = [];
  try {
    // Each thread lists the children it started: tsx's esbuild service is started by the module loader thread.
    children = readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
  return children.flatMap((child) => {
    try {
      const status = readFileSync(`/proc/${child}/status`, 'utf8');
      const rssKb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
      return [{ pid: child, name: status.match(/Name:\s+(\S+)/)?.[1] ?? '?', rssKb }, ...descendants(child)];
    } catch {
      return [];
    }
  });
};

/** Starts the provider with `env`, waits for its ready line and the idle time, and collects the probe's lines. */
const measure = async (env: Record<string, string>) => {
  const argv = [...(args.gc ? ['--expose-gc'] : []), ...args['node-flag'], '--import', 'tsx', '--import', './bench/memory-probe.ts', 'src/main.ts'];
  const child: ChildProcess = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const figures: Figures[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the provider exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout! }).on('line', (line) => line.startsWith('Satu Akun is running') && resolve());
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.startsWith('MEMORY ')) figures.push(JSON.parse(line.slice(7)) as Figures);
    else if (!line.startsWith('!!') && !/^!+$/.test(line)) console.error(`  provider: ${line}`);
  });
  try {
    await ready;
    await sleep(Number(args.idle) * 1000);
    const others = descendants(child.pid!);
    child.kill('SIGUSR2');
    for (let i = 0; i < 100 && figures.length < (args.gc ? 2 : 1); i++) await sleep(100);
    return { figures, others };
  } finally {
    child.removeAllListeners('exit');
    await stop(child);
  }
};

const embeddedDefaults = async (dataDir: string) => {
  const [port, ldap, demo1, demo2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // Only the file can move the demo apps off 3001/3002, which another instance may hold.
  const configFile = join(dataDir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ demoPorts: [demo1, demo2] }));
  return {
    env: {
      SATU_AKUN_CONFIG: configFile,
      SATU_AKUN_PORT: String(port),
      SATU_AKUN_ISSUER: `http://localhost:${port}`,
      SATU_AKUN_LDAP_EMBEDDED_PORT: String(ldap),
    },
    close: async () => {},
  };
};

const productionShaped = async () => {
  const server = await startPostgres({ skip: () => { throw new Error('PostgreSQL is not installed'); } } as unknown as Mocha.Context);
  const db = await server.createDatabase();
  const redisPort = await freePort();
  const redis = await spawnReady('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], /Ready to accept connections/);
  const directory = await spawnReady(process.execPath, ['--import', 'tsx', join(root, 'bench/directory.ts')], /^READY (\S+)/);
  const port = await freePort();
  return {
    env: {
      SATU_AKUN_PORT: String(port),
      SATU_AKUN_ISSUER: `http://localhost:${port}`,
      SATU_AKUN_DB_CLIENT: 'pg',
      SATU_AKUN_DB_URL: db.url,
      SATU_AKUN_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SATU_AKUN_LDAP_MODE: 'ldap',
      SATU_AKUN_LDAP_URL: directory.match[1]!,
      SATU_AKUN_DEMO_APPS: 'false',
    },
    close: async () => {
      await Promise.all([stop(redis.child), stop(directory.child)]);
      await db.drop();
      await server.close();
    },
  };
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)}`;
const row = (cells: string[]) => console.log(cells.map((c, i) => (i ? c.padStart(11) : c.padEnd(20))).join(''));

console.log(`Provider process after ${args.idle} s idle${args.cold ? ', tsx cache empty' : ''} (Node ${process.version}${args['node-flag'].length ? `, ${args['node-flag'].join(' ')}` : ''}); MB`);
row(['', 'VmRSS', 'VmHWM', 'heap used', 'heap total', 'external', 'arrayBuf', 'code', 'modules']);
const results: { store: string; rssKb: number }[] = [];
for (const store of stores) {
  const dataDir = mkdtempSync(join(tmpdir(), 'satu-akun-bench-memory-'));
  const setup = store === 'sqlite' ? await embeddedDefaults(dataDir) : await productionShaped();
  try {
    // tsx keeps its compile cache under the temporary directory: an empty one is a first start (or PrivateTmp).
    const cold: Record<string, string> = args.cold ? { TMPDIR: mkdtempSync(join(dataDir, 'tmp-')) } : {};
    const { figures, others } = await measure({ ...setup.env, ...cold, SATU_AKUN_DATA_DIR: dataDir, SATU_AKUN_KEYS_DIR: join(dataDir, 'keys'), SATU_AKUN_LOG_LEVEL: 'warn' });
    if (!figures.length) throw new Error(`${store}: the probe printed nothing`);
    for (const f of figures) {
      row([`${store} (${f.label})`, mb(f.rssKb * 1024), mb(f.hwmKb * 1024), mb(f.heapUsed), mb(f.heapTotal), mb(f.external), mb(f.arrayBuffers), mb(f.codeSpace), String(f.modules.count)]);
    }
    const [idle] = figures;
    results.push({ store, rssKb: idle!.rssKb });
    for (const f of figures) {
      const loader = f.loaderThread ? `; module loader thread (tsx on Node 20) heap used/total ${mb(f.loaderThread.heapUsed)}/${mb(f.loaderThread.heapTotal)}` : '';
      console.log(`  ${f.label}: anonymous ${mb(f.anonKb * 1024)}, file-backed ${mb(f.fileKb * 1024)} (node binary, libraries, addons)${loader}`);
    }
    console.log(`  ${idle!.threads} threads; native addons: ${idle!.addons.map((a) => a.replace(/.*node_modules\//, '')).join(', ') || 'none'}`);
    console.log(`  most files: ${idle!.modules.top.map(([name, n]) => `${name} ${n}`).join(', ')}`);
    for (const o of others) console.log(`  child process ${o.name} (pid ${o.pid}): ${mb(o.rssKb * 1024)} MB, not counted above`);
  } finally {
    await setup.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
for (const { store, rssKb } of results) {
  const rss = rssKb / 1024;
  console.log(`goal: ${store} idle RSS ≤ ${GOAL_MB} MB: ${rss.toFixed(0)} MB, ${rss <= GOAL_MB ? 'met' : `missed by ${(rss - GOAL_MB).toFixed(0)} MB`}`);
}
process.exit(0);
