/**
 * `npm run bench:directory [-- --sizes 2000,100000,1000000]`: does sign-in latency depend on the directory's size?
 *
 * For each size: generate that many staff (bench/big-directory.ts), load them into a real slapd (mdb, indexed) with
 * slapadd, start the provider (bench/server.ts, SQLite store) pinned to `--server-cpu` against that slapd (pinned to
 * `--aux-cpu` with this load generator), let `--people` people spread over the whole directory sign in once (first-time
 * notice accepted). Then full sign-ins of those people are measured at `--workers` concurrency, the sizes taking turns:
 * a warm-up of each, then `--rounds` rounds of `--seconds` of each; the median round's rate, p50 and p99 are the
 * figures. Prints a table with the change from the smallest size (goal: flat within ±20 %).
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { configSchema } from '../src/config/schema.ts';
import { createLdapDirectory } from '../src/directory/ldap.ts';
import { SAMPLE_PASSWORD, SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD } from '../src/directory/sample/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { loginOf, startBigDirectory } from './big-directory.ts';
import { median, round, type Round } from './measure.ts';
import { pinned, pinSelf, spawnReady, stop } from './procs.ts';
import { signIn } from './scenarios.ts';

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '2000,100000,1000000' },
    people: { type: 'string', default: '500' },
    workers: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    'server-cpu': { type: 'string', default: '0' },
    'aux-cpu': { type: 'string', default: '1' },
    lookups: { type: 'string', default: '1000' },
  },
});
const sizes = opt.sizes!.split(',').map(Number).sort((a, b) => a - b);
const workers = Number(opt.workers);
const serverCpu = Number(opt['server-cpu']);
const auxCpu = Number(opt['aux-cpu']);
const multiCore = availableParallelism() > 1;
const log = (line: string) => process.stderr.write(`${line}\n`);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 60_000).toFixed(1)} min`;

/** Starts bench/server.ts against `ldapUrl` and waits until `/readyz` answers 200. */
const startServer = async (ldapUrl: string) => {
  const script = new URL('./server.ts', import.meta.url).pathname;
  const [cmd, argv] = pinned(multiCore ? serverCpu : undefined, process.execPath, ['--import', 'tsx', script, '--ldap-url', ldapUrl, '--aux-cpu', String(auxCpu)]);
  const { child, match } = await spawnReady(cmd, argv, /^READY (\S+)/, 60_000);
  const issuer = match[1]!;
  for (let i = 0; ; i++) {
    const res = await fetch(new URL('/readyz', issuer)).catch(() => undefined);
    if (res?.status === 200) break;
    if (i >= 100) throw new Error(`${issuer}/readyz not ready: ${res?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, issuer, pid: child.pid! };
};

/**
 * The directory's share of a sign-in without the provider: `lookups` people drawn from the whole directory (mostly
 * never looked up before), one after the other, each found by login and their password checked, through the
 * provider's own LDAP code (src/directory/ldap.ts, default configuration). Not affected by load on the provider's CPU.
 */
const timeDirectory = async (url: string, size: number) => {
  const config = configSchema.parse({ directory: { mode: 'ldap', url, bindDn: SAMPLE_SERVICE_DN, bindPassword: SAMPLE_SERVICE_PASSWORD, baseDn: SAMPLE_PEOPLE_DN } });
  const directory = createLdapDirectory(config.directory, createLogger('silent'));
  const find: number[] = [];
  const bind: number[] = [];
  try {
    for (let i = 0; i < Number(opt.lookups); i++) {
      const login = loginOf(Math.floor(Math.random() * size));
      let t = performance.now();
      const user = await directory.findUser(login);
      find.push(performance.now() - t);
      t = performance.now();
      if (!user || !(await directory.verifyPassword(user, SAMPLE_PASSWORD))) throw new Error(`directory: ${login} not found or password refused`);
      bind.push(performance.now() - t);
    }
  } finally {
    await directory.close();
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * xs.length)]!;
  return { findP50: q(find.slice(10), 0.5), findP99: q(find.slice(10), 0.99), bindP50: q(bind.slice(10), 0.5), bindP99: q(bind.slice(10), 0.99) };
};

const results: Result[] = [];
interface Result { size: number; loadSeconds: number; dbBytes: number; rounds: Round[]; ldap: Awaited<ReturnType<typeof timeDirectory>> }
/** Busy time of the server's CPU not spent by the server: other processes on a shared machine spoil the figures. */
const foreign = (r: Round) => Math.max(0, (r.cores[serverCpu]?.busy ?? 0) - r.serverCpu);

// Every directory and its provider are started first and measured in alternation (round 1 of each size, then round 2
// ...), so a busy spell on a shared machine hits all sizes alike instead of spoiling one of them.
const setups: { size: number; loadSeconds: number; directory: Awaited<ReturnType<typeof startBigDirectory>>; server: Awaited<ReturnType<typeof startServer>>; logins: string[] }[] = [];
try {
  for (const size of sizes) {
    log(`\n${size.toLocaleString('en')} people (${elapsed()} so far)`);
    const t0 = Date.now();
    const directory = await startBigDirectory(size, multiCore ? auxCpu : undefined, log);
    const loadSeconds = (Date.now() - t0) / 1000;
    const server = await startServer(directory.url);
    setups.push({ size, loadSeconds, directory, server, logins: [] });
    // People spread evenly over the whole directory, so the searches do not all hit one end of the index.
    const count = Math.min(Number(opt.people), size);
    const logins = Array.from({ length: count }, (_, k) => loginOf(Math.floor((k * size) / count)));
    setups.at(-1)!.logins = logins;
    const queue = [...logins];
    let notices = 0;
    await Promise.all(Array.from({ length: workers }, async () => {
      for (let login = queue.pop(); login; login = queue.pop()) if ((await signIn(server.issuer, login, SAMPLE_PASSWORD, true)).sawNotice) notices++;
    }));
    log(`  first sign-in of ${count} people (notice accepted ${notices} times)`);
  }
  // Pinned only now: generating and loading the directories may use every CPU.
  if (multiCore) pinSelf(auxCpu);
  const rounds = new Map<number, Round[]>(sizes.map((s) => [s, []]));
  for (let r = 0; r <= Number(opt.rounds); r++) {
    for (const { size, server, logins } of setups) {
      const op = () => signIn(server.issuer, logins[Math.floor(Math.random() * logins.length)]!, SAMPLE_PASSWORD);
      const res = await round(workers, r === 0 ? Number(opt.warmup) : Number(opt.seconds), server.pid, op);
      log(`  ${r === 0 ? 'warm-up' : `round ${r}`} ${size.toLocaleString('en')}: ${res.rate.toFixed(1)}/s  p50 ${res.p50ms.toFixed(1)} ms  p99 ${res.p99ms.toFixed(1)} ms  server ${(res.serverCpu * 100).toFixed(0)}%  other on CPU ${serverCpu} ${(foreign(res) * 100).toFixed(0)}%${res.errors ? `  ${res.errors} errors: ${res.firstError}` : ''}`);
      if (r > 0) rounds.get(size)!.push(res);
    }
  }
  for (const s of setups) {
    const ldap = await timeDirectory(s.directory.url, s.size);
    log(`  directory ${s.size.toLocaleString('en')}: find p50 ${ldap.findP50.toFixed(2)} ms, p99 ${ldap.findP99.toFixed(2)} ms; bind p50 ${ldap.bindP50.toFixed(2)} ms, p99 ${ldap.bindP99.toFixed(2)} ms`);
    results.push({ size: s.size, loadSeconds: s.loadSeconds, dbBytes: s.directory.dbBytes, rounds: rounds.get(s.size)!, ldap });
  }
} finally {
  for (const { server, directory } of setups) {
    await stop(server.child);
    await directory.close();
  }
}

const medianOf = (r: Result, f: (x: Round) => number) => median(r.rounds.map(f));
const base = results[0]!;
/** Provider CPU per sign-in: what a busy machine changes least (the rate and latency also reflect other processes). */
const cpuMs = (r: Result) => medianOf(r, (x) => (x.serverCpu / x.rate) * 1000);
const change = (value: number, of: number) => `${value >= of ? '+' : ''}${(((value - of) / of) * 100).toFixed(0)}%`;
console.log(`\nSign-in latency by directory size: ${workers} workers, ${opt.rounds} × ${opt.seconds} s per size, median round; provider on CPU ${serverCpu}, slapd and load on CPU ${auxCpu}`);
console.table(
  results.map((r) => {
    const [rate, p50, p99] = [medianOf(r, (x) => x.rate), medianOf(r, (x) => x.p50ms), medianOf(r, (x) => x.p99ms)];
    return {
      people: r.size.toLocaleString('en'),
      'load s': r.loadSeconds.toFixed(0),
      'data.mdb MB': (r.dbBytes / 1e6).toFixed(0),
      'sign-ins/s': rate.toFixed(1),
      'Δ rate': change(rate, medianOf(base, (x) => x.rate)),
      'p50 ms': p50.toFixed(1),
      'Δ p50': change(p50, medianOf(base, (x) => x.p50ms)),
      'p99 ms': p99.toFixed(1),
      'Δ p99': change(p99, medianOf(base, (x) => x.p99ms)),
      'CPU ms/sign-in': cpuMs(r).toFixed(1),
      'Δ CPU': change(cpuMs(r), cpuMs(base)),
      'other on its CPU': `${(medianOf(r, foreign) * 100).toFixed(0)}%`,
      'LDAP find p50/p99 ms': `${r.ldap.findP50.toFixed(2)} / ${r.ldap.findP99.toFixed(2)}`,
      'LDAP bind p50/p99 ms': `${r.ldap.bindP50.toFixed(2)} / ${r.ldap.bindP99.toFixed(2)}`,
      errors: r.rounds.reduce((n, x) => n + x.errors, 0),
    };
  }),
);
const worst = Math.max(
  ...results.map((r) => Math.max(Math.abs(medianOf(r, (x) => x.p50ms) / medianOf(base, (x) => x.p50ms) - 1), Math.abs(medianOf(r, (x) => x.rate) / medianOf(base, (x) => x.rate) - 1))),
);
const busiest = Math.max(...results.map((r) => medianOf(r, foreign)));
const cpuWorst = Math.max(...results.map((r) => Math.abs(cpuMs(r) / cpuMs(base) - 1)));
console.log(`${worst <= 0.2 ? 'FLAT' : 'NOT FLAT'}: largest change of p50 or rate from the smallest directory ${(worst * 100).toFixed(0)}% (goal ±20%); of provider CPU per sign-in ${(cpuWorst * 100).toFixed(0)}%`);
if (busiest > 0.1) console.log(`Other processes used up to ${(busiest * 100).toFixed(0)}% of CPU ${serverCpu}: rate and latency are not valid; CPU per sign-in and the LDAP columns still are.`);
console.log(`Total run time ${elapsed()}.`);
