/**
 * `--layout split` (the default): the provider alone on the server CPU, its store (SQLite in the provider, or
 * redis-server) and the embedded sample directory on the load generator's CPU. Client-credentials grants/s and
 * full sign-ins/s of returning users, per store.
 */
import { loadSampleStaff, SAMPLE_PASSWORD } from '../src/directory/sample/index.ts';
import { foreign, log, measure, pct, startServer, type MeasureSpec } from './harness.ts';
import { median, type Round } from './measure.ts';
import { perOp } from './report.ts';
import { stop } from './procs.ts';
import { clientCredentials, signIn } from './scenarios.ts';

export interface SplitOptions {
  stores: string[];
  only: string | undefined;
  ccWorkers: number;
  signinWorkers: number;
  ldapPool: string | undefined;
  /** Node.js options for Satu Akun's server: `--cpu-prof` with `--profile`, and each `--node-flag`. */
  nodeArgs: string[];
  countQueries: boolean;
  spec: Omit<MeasureSpec, 'label' | 'workers'>;
  multiCore: boolean;
}

// Per core. Keycloak: "Concepts for sizing CPU and memory resources" (one vCPU per 15 password logins/s, per 120 client-credentials grants/s).
const METRICS = {
  clientCredentials: { label: 'client-credentials grants/s', target: 2000, keycloak: 120 },
  signIn: { label: 'full sign-ins/s', target: 150, keycloak: 15 },
} as const;
type Metric = keyof typeof METRICS;

/** Every sample person signs in once and accepts the notice, so the measured sign-ins are returning users. */
const firstSignIns = async (issuer: string, logins: string[], workers: number) => {
  const queue = [...logins];
  let notices = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    for (let login = queue.pop(); login; login = queue.pop()) if ((await signIn(issuer, login, SAMPLE_PASSWORD, true)).sawNotice) notices++;
  }));
  log(`  first sign-in of ${logins.length} people (notice accepted ${notices} times)`);
};

export const runSplit = async (o: SplitOptions) => {
  const logins = loadSampleStaff().staff.map((p) => p.uid);
  const report: Record<string, Partial<Record<Metric, { rounds: Round[]; median: number }>>> = {};
  for (const store of o.stores) {
    log(`store: ${store}`);
    const args = ['--aux-cpu', String(o.spec.auxCpu), ...(store === 'redis' ? ['--redis'] : []), ...(o.ldapPool ? ['--ldap-pool', o.ldapPool] : []), ...(o.countQueries ? ['--count-queries'] : [])];
    const server = await startServer('./server.ts', args, { cpu: o.multiCore ? o.spec.serverCpu : undefined, nodeArgs: o.nodeArgs, readyPath: '/readyz' });
    const cleanup = () => server.child.kill('SIGTERM');
    process.once('SIGINT', cleanup);
    const extras = o.countQueries ? { counts: server.counts } : {};
    try {
      report[store] = {};
      if (o.only !== 'signin') {
        const r = await measure({ ...o.spec, label: METRICS.clientCredentials.label, workers: o.ccWorkers }, server.pid, () => clientCredentials(server.issuer), extras);
        report[store].clientCredentials = { rounds: r, median: median(r.map((x) => x.rate)) };
      }
      if (o.only !== 'cc') {
        await firstSignIns(server.issuer, logins, o.signinWorkers);
        const r = await measure({ ...o.spec, label: METRICS.signIn.label, workers: o.signinWorkers }, server.pid, () => signIn(server.issuer, logins[Math.floor(Math.random() * logins.length)]!, SAMPLE_PASSWORD), extras);
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
        'other on its CPU': pct(median(m.rounds.map((x) => foreign(x, o.spec.serverCpu)))),
        'p99 ms': median(m.rounds.map((x) => x.p99ms)).toFixed(1),
        ...(o.countQueries ? { 'SQL/op': perOp(m.rounds, 'sql').toFixed(1), 'Redis RT/op': perOp(m.rounds, 'redisRoundTrips').toFixed(1) } : {}),
        errors: m.rounds.reduce((n, x) => n + x.errors, 0),
        target: spec.target,
        'Keycloak sizing': spec.keycloak,
      };
    }),
  );
  return { rows, results: report, targets: METRICS };
};
