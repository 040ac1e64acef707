/**
 * `npm run bench [-- options]`: throughput of the provider pinned to one core.
 *
 * `--layout split` (default, bench/split.ts): the provider alone on `--server-cpu`, its store and the embedded
 * directory beside the load generator on `--aux-cpu`; client-credentials grants/s and full sign-ins/s per `--store`.
 * `--layout one-core` (bench/one-core.ts): provider + PostgreSQL + Redis + OpenLDAP slapd on `--server-cpu`, then the
 * bare oidc-provider engine (bench/bare.ts) on the same core; five scenarios, each with its ratio to the engine.
 * A warm-up, then `rounds` duration-bounded rounds; the median round is the figure. Prints a table and writes
 * bench/results/latest.json. Options: see bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { oneCoreRows } from './report.ts';
import { ONE_CORE_METRICS, runOneCore, type OneCoreMetric } from './one-core.ts';
import { pinSelf } from './procs.ts';
import { runSplit } from './split.ts';

const { values: opt } = parseArgs({
  options: {
    layout: { type: 'string', default: 'split' },
    store: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    'cc-workers': { type: 'string', default: '16' },
    'signin-workers': { type: 'string', default: '16' },
    'first-workers': { type: 'string', default: '16' },
    'refresh-workers': { type: 'string', default: '16' },
    'userinfo-workers': { type: 'string', default: '16' },
    people: { type: 'string', default: '2000' },
    'web-apps': { type: 'string', default: '12' },
    'pg-no-fsync': { type: 'boolean', default: false },
    only: { type: 'string' },
    'server-cpu': { type: 'string', default: '0' },
    'aux-cpu': { type: 'string', default: '1' },
    'ldap-pool': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'count-queries': { type: 'boolean', default: false },
    'node-flag': { type: 'string', multiple: true, default: [] },
  },
});
if (opt.layout !== 'split' && opt.layout !== 'one-core') throw new Error(`--layout split|one-core, not ${opt.layout}`);
const serverCpu = Number(opt['server-cpu']);
const auxCpu = Number(opt['aux-cpu']);
const results = new URL('./results/', import.meta.url);
const spec = { rounds: Number(opt.rounds), seconds: Number(opt.seconds), warmup: Number(opt.warmup), serverCpu, auxCpu };
const profile = opt.profile ? ['--cpu-prof', '--cpu-prof-dir', new URL('./profiles/', results).pathname] : [];
const nodeArgs = [...profile, ...opt['node-flag']];

// Read before pinning: afterwards this process sees one CPU.
const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, pinned: availableParallelism() > 1 };
const multiCore = machine.pinned;
if (multiCore) pinSelf(auxCpu);
else console.warn('one CPU only: nothing is pinned, the load generator shares the core with the server');

const header = `Satu Akun bench (${opt.layout}) — ${machine.cpu}, nproc ${machine.nproc}, node ${machine.node}${opt['node-flag'].length ? ` (Satu Akun with ${opt['node-flag'].join(' ')})` : ''}, server on CPU ${serverCpu}${multiCore ? '' : ' (not pinned)'}`;
let out: Record<string, unknown>;
if (opt.layout === 'split') {
  const r = await runSplit({
    stores: opt.store === 'both' ? ['sqlite', 'redis'] : [opt.store!],
    only: opt.only,
    ccWorkers: Number(opt['cc-workers']),
    signinWorkers: Number(opt['signin-workers']),
    ldapPool: opt['ldap-pool'],
    nodeArgs,
    countQueries: opt['count-queries'],
    spec,
    multiCore,
  });
  console.log(`\n${header}`);
  console.table(r.rows);
  out = { targets: r.targets, results: r.results };
} else {
  const only = opt.only?.split(',') as OneCoreMetric[] | undefined;
  const unknown = only?.filter((m) => !(m in ONE_CORE_METRICS));
  if (unknown?.length) throw new Error(`--only takes ${Object.keys(ONE_CORE_METRICS).join(',')}; not ${unknown.join(',')}`);
  const workers = { signIn: Number(opt['signin-workers']), firstSignIn: Number(opt['first-workers']), clientCredentials: Number(opt['cc-workers']), refresh: Number(opt['refresh-workers']), userinfo: Number(opt['userinfo-workers']) };
  const r = await runOneCore({ spec, workers, people: Number(opt.people), webApps: Number(opt['web-apps']), durable: !opt['pg-no-fsync'], only, nodeArgs, ldapPool: opt['ldap-pool'] }, multiCore);
  const { rows, rss } = oneCoreRows(r, serverCpu);
  console.log(`\n${header}; PostgreSQL fsync ${opt['pg-no-fsync'] ? 'off' : 'on'}, ${opt.people} staff in slapd`);
  console.table(rows);
  console.log(rss);
  out = { rows, rss, results: r };
}
mkdirSync(results, { recursive: true });
const options = { ...spec, layout: opt.layout, ...Object.fromEntries(Object.entries(opt).filter(([k]) => k.endsWith('workers'))), people: opt.people, webApps: opt['web-apps'], pgFsync: !opt['pg-no-fsync'], ldapPool: opt['ldap-pool'] ?? 'default' };
writeFileSync(new URL('latest.json', results), `${JSON.stringify({ at: new Date().toISOString(), machine, options, ...out }, null, 2)}\n`);
console.log('written: bench/results/latest.json');
