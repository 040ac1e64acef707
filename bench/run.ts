/**
 * `npm run bench [-- options]`: throughput of the provider pinned to one core.
 *
 * Starts bench/server.ts under `taskset -c <server-cpu>` (its directory and Redis on `<aux-cpu>`), pins this load
 * generator to `<aux-cpu>`, and measures client-credentials grants/s and full sign-ins/s: a warm-up, then `rounds`
 * duration-bounded rounds; the median round is the figure. Prints a table and writes bench/results/latest.json.
 * Options: --store sqlite|redis|both, --rounds, --seconds, --warmup, --cc-workers, --signin-workers, --only cc|signin,
 * --server-cpu, --aux-cpu, --ldap-pool, --profile (CPU profile of the server into bench/results/profiles/), --count-queries (SQL by count at exit).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { loadSampleStaff, SAMPLE_PASSWORD } from '../src/directory/sample/index.ts';
import { round, median, type Round } from './measure.ts';
import { pinned, pinSelf, spawnReady, stop } from './procs.ts';
import { clientCredentials, signIn } from './scenarios.ts';

const { values: opt } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    'cc-workers': { type: 'string', default: '16' },
    'signin-workers': { type: 'string', default: '16' },
    only: { type: 'string' },
    'server-cpu': { type: 'string', default: '0' },
    'aux-cpu': { type: 'string', default: '1' },
    'ldap-pool': { type: 'string' },
    profile: { type: 'boolean', default: false },
    'count-queries': { type: 'boolean', default: false },
  },
});
const rounds = Number(opt.rounds);
const seconds = Number(opt.seconds);
const warmup = Number(opt.warmup);
const serverCpu = Number(opt['server-cpu']);
const auxCpu = Number(opt['aux-cpu']);
const stores = opt.store === 'both' ? ['sqlite', 'redis'] : [opt.store!];
const results = new URL('./results/', import.meta.url);
// Per core. Keycloak: "Concepts for sizing CPU and memory resources" (one vCPU per 15 password logins/s, per 120 client-credentials grants/s).
const METRICS = {
  clientCredentials: { label: 'client-credentials grants/s', target: 2000, keycloak: 120, workers: Number(opt['cc-workers']) },
  signIn: { label: 'full sign-ins/s', target: 150, keycloak: 15, workers: Number(opt['signin-workers']) },
} as const;
type Metric = keyof typeof METRICS;

// Read before pinning: afterwards this process sees one CPU.
const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, pinned: availableParallelism() > 1 };
const multiCore = machine.pinned;
if (multiCore) pinSelf(auxCpu);
else console.warn('one CPU only: nothing is pinned, the load generator shares the core with the server');

const log = (line: string) => process.stderr.write(`${line}\n`);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
/** Busy time of the server's CPU not spent by the server: other processes on a shared machine spoil the figures. */
const foreign = (r: Round) => Math.max(0, (r.cores[serverCpu]?.busy ?? 0) - r.serverCpu);

/** Starts the server for `store` and waits until `/readyz` answers 200. */
const startServer = async (store: string) => {
  const profile = opt.profile ? ['--cpu-prof', '--cpu-prof-dir', new URL('./profiles/', results).pathname] : [];
  const script = new URL('./server.ts', import.meta.url).pathname;
  const args = [...profile, '--import', 'tsx', script, '--aux-cpu', opt['aux-cpu']!, ...(store === 'redis' ? ['--redis'] : []), ...(opt['ldap-pool'] ? ['--ldap-pool', opt['ldap-pool']] : []), ...(opt['count-queries'] ? ['--count-queries'] : [])];
  const [cmd, argv] = pinned(multiCore ? serverCpu : undefined, process.execPath, args);
  const { child, match } = await spawnReady(cmd, argv, /^READY (\S+)/);
  const issuer = match[1]!;
  for (let i = 0; ; i++) {
    const res = await fetch(new URL('/readyz', issuer)).catch(() => undefined);
    if (res?.status === 200) break;
    if (i >= 100) throw new Error(`${issuer}/readyz not ready: ${res?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, issuer, pid: child.pid! };
};

/** Warm-up, then the measured rounds of one metric. */
const measure = async (metric: Metric, pid: number, op: (w: number, i: number) => Promise<unknown>): Promise<Round[]> => {
  const { label, workers } = METRICS[metric];
  const w = await round(workers, warmup, pid, op);
  log(`  ${label}: warm-up ${w.rate.toFixed(0)}/s${w.errors ? `, ${w.errors} errors: ${w.firstError}` : ''}`);
  const out: Round[] = [];
  for (let r = 1; r <= rounds; r++) {
    const res = await round(workers, seconds, pid, op);
    log(`  ${label}: round ${r} ${res.rate.toFixed(1)}/s  p50 ${res.p50ms.toFixed(1)} ms  p99 ${res.p99ms.toFixed(1)} ms  server ${pct(res.serverCpu)}  load-gen ${pct(res.loadCpu)}  other work on CPU ${serverCpu} ${pct(foreign(res))}  CPU ${auxCpu} busy ${pct(res.cores[auxCpu]?.busy ?? NaN)}${res.errors ? `  ${res.errors} errors: ${res.firstError}` : ''}`);
    out.push(res);
  }
  return out;
};

/** Every sample person signs in once and accepts the notice, so the measured sign-ins are returning users. */
const firstSignIns = async (issuer: string, logins: string[], workers: number) => {
  const queue = [...logins];
  let notices = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let login = queue.pop(); login; login = queue.pop()) if ((await signIn(issuer, login, SAMPLE_PASSWORD, true)).sawNotice) notices++;
  }));
  log(`  first sign-in of ${logins.length} people (notice accepted ${notices} times)`);
};

const logins = loadSampleStaff().staff.map((p) => p.uid);
const report: Record<string, Partial<Record<Metric, { rounds: Round[]; median: number }>>> = {};
for (const store of stores) {
  log(`store: ${store}`);
  const server = await startServer(store);
  const cleanup = () => server.child.kill('SIGTERM');
  process.once('SIGINT', cleanup);
  try {
    report[store] = {};
    if (opt.only !== 'signin') {
      const r = await measure('clientCredentials', server.pid, () => clientCredentials(server.issuer));
      report[store].clientCredentials = { rounds: r, median: median(r.map((x) => x.rate)) };
    }
    if (opt.only !== 'cc') {
      await firstSignIns(server.issuer, logins, METRICS.signIn.workers);
      const r = await measure('signIn', server.pid, () => signIn(server.issuer, logins[Math.floor(Math.random() * logins.length)]!, SAMPLE_PASSWORD));
      report[store].signIn = { rounds: r, median: median(r.map((x) => x.rate)) };
    }
  } finally {
    process.off('SIGINT', cleanup);
    await stop(server.child);
  }
}

const rows = Object.entries(report).flatMap(([store, metrics]) =>
  Object.entries(metrics).map(([metric, m]) => {
    const spec = METRICS[metric as Metric];
    const rates = m.rounds.map((x) => x.rate);
    return {
      metric: `${spec.label} (${store})`,
      'median/s': m.median.toFixed(0),
      min: Math.min(...rates).toFixed(0),
      max: Math.max(...rates).toFixed(0),
      rounds: m.rounds.length,
      'server CPU': pct(median(m.rounds.map((x) => x.serverCpu))),
      'other on its CPU': pct(median(m.rounds.map(foreign))),
      'p99 ms': median(m.rounds.map((x) => x.p99ms)).toFixed(1),
      errors: m.rounds.reduce((n, x) => n + x.errors, 0),
      target: spec.target,
      'Keycloak sizing': spec.keycloak,
    };
  }),
);
console.log(`\nSatu Akun bench — ${machine.cpu}, nproc ${machine.nproc}, node ${machine.node}, server on CPU ${serverCpu}${multiCore ? '' : ' (not pinned)'}`);
console.table(rows);
mkdirSync(results, { recursive: true });
const options = { rounds, seconds, warmup, ccWorkers: METRICS.clientCredentials.workers, signinWorkers: METRICS.signIn.workers, ldapPool: opt['ldap-pool'] ?? 'default' };
writeFileSync(new URL('latest.json', results), `${JSON.stringify({ at: new Date().toISOString(), machine, options, targets: METRICS, results: report }, null, 2)}\n`);
console.log(`written: bench/results/latest.json`);
