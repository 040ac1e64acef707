/**
 * `npm run bench:soak [-- --minutes 10 --rate-share 0.5 --store sqlite|redis]`: does the provider's memory grow
 * under steady load?
 *
 * Starts bench/server.ts pinned to `--server-cpu` (directory, Redis and this load generator on `--aux-cpu`) with
 * bench/soak-probe.ts preloaded, reads its idle RSS, lets the sample people sign in once, then measures the maximum
 * rate of the mixed load (closed loop, `--workers`, `--probe-seconds`). The mix repeats in fives: one full sign-in
 * (scenarios.ts's signIn), two rotating refreshes and two userinfo calls, with the tokens of `--holders` signed-in
 * people. It then sends that mix paced (open loop: each operation starts at its scheduled time, whether or not earlier
 * ones are done) at `--rate-share` of the maximum (or at `--rate` ops/s, without measuring the maximum) for
 * `--minutes`. Every minute it prints the provider's RSS (VmRSS) and its heap after a full collection; at the end the
 * change from the first minute to the last, with a verdict.
 */
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadSampleStaff, SAMPLE_PASSWORD } from '../src/directory/sample/index.ts';
import { round } from './measure.ts';
import { cpuSeconds, pinned, pinSelf, spawnReady, stop } from './procs.ts';
import { refresh, signIn, signInForTokens, userinfo, type Tokens } from './scenarios.ts';

const { values: opt } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'rate-share': { type: 'string', default: '0.5' },
    store: { type: 'string', default: 'sqlite' },
    workers: { type: 'string', default: '16' },
    'probe-seconds': { type: 'string', default: '15' },
    holders: { type: 'string', default: '100' },
    rate: { type: 'string' },
    threshold: { type: 'string', default: '10' },
    'server-cpu': { type: 'string', default: '0' },
    'aux-cpu': { type: 'string', default: '1' },
  },
});
if (!['sqlite', 'redis'].includes(opt.store!)) throw new Error(`--store must be sqlite or redis, not ${opt.store}`);
const minutes = Number(opt.minutes);
const threshold = Number(opt.threshold) / 100;
const serverCpu = Number(opt['server-cpu']);
const multiCore = availableParallelism() > 1;
if (multiCore) pinSelf(Number(opt['aux-cpu']));
const log = (line: string) => console.log(line);
const MB = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

// The provider, as run.ts starts it, plus the probe (which needs --expose-gc for its full collection).
const probeFile = join(tmpdir(), `satu-akun-soak-${process.pid}.json`);
const args = ['--expose-gc', '--import', 'tsx', '--import', new URL('./soak-probe.ts', import.meta.url).pathname, new URL('./server.ts', import.meta.url).pathname, '--aux-cpu', opt['aux-cpu']!, ...(opt.store === 'redis' ? ['--redis'] : [])];
const [cmd, argv] = pinned(multiCore ? serverCpu : undefined, process.execPath, args);
process.env.SOAK_PROBE_FILE = probeFile;
const { child, match } = await spawnReady(cmd, argv, /^READY (\S+)/, 60_000);
const issuer = match[1]!;
const pid = child.pid!;
process.once('SIGINT', () => void stop(child).then(() => process.exit(130)));

const rss = () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
/** Heap used after a full collection, from the probe in the provider. */
const heap = async (): Promise<number> => {
  const asked = Date.now();
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      const m = JSON.parse(readFileSync(probeFile, 'utf8')) as { at: number; heapUsed: number };
      if (m.at >= asked) return m.heapUsed;
    } catch { /* not written yet */ }
  }
  throw new Error('the provider did not answer the heap probe');
};

try {
  for (let i = 0; (await fetch(new URL('/readyz', issuer)).catch(() => undefined))?.status !== 200; i++) {
    if (i >= 100) throw new Error(`${issuer}/readyz not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 2000));
  log(`provider pid ${pid} on CPU ${serverCpu}, store ${opt.store}: idle after start-up RSS ${MB(rss())}, heap after GC ${MB(await heap())}`);

  const logins = loadSampleStaff().staff.map((p) => p.uid);
  const queue = [...logins];
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let login = queue.pop(); login; login = queue.pop()) await signIn(issuer, login, SAMPLE_PASSWORD, true);
  }));
  // `everyone` holds every holder's latest tokens for userinfo; `idle` those whose refresh token is not in use.
  const everyone: Tokens[] = [];
  for (let i = 0; i < Number(opt.holders); i++) everyone.push(await signInForTokens(issuer, logins[i % logins.length]!, SAMPLE_PASSWORD));
  const idle = [...everyone];
  log(`first sign-in of ${logins.length} people done, ${everyone.length} token holders; RSS ${MB(rss())}`);

  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  /** The k-th operation of the mix: sign-in, refresh, userinfo, refresh, userinfo. */
  const mixed = async (k: number): Promise<void> => {
    const kind = k % 5;
    if (kind === 0) return void (await signIn(issuer, pick(logins), SAMPLE_PASSWORD));
    // A holder is taken out while its refresh runs: two refreshes of one rotating token would be a reuse (revocation).
    // When every holder's refresh is in flight (the server has stalled), a userinfo call stands in.
    const holder = kind % 2 === 1 ? idle.shift() : undefined;
    if (!holder) return userinfo(issuer, pick(everyone).accessToken);
    try {
      Object.assign(holder, await refresh(issuer, holder.refreshToken));
    } finally {
      idle.push(holder);
    }
  };

  let counter = 0;
  let rate = Number(opt.rate);
  if (!opt.rate) {
    const max = await round(Number(opt.workers), Number(opt['probe-seconds']), pid, () => mixed(counter++));
    if (max.errors) throw new Error(`max-rate probe: ${max.errors} errors: ${max.firstError}`);
    rate = max.rate * Number(opt['rate-share']);
    log(`maximum rate of the mix: ${max.rate.toFixed(1)} ops/s (server CPU ${(max.serverCpu * 100).toFixed(0)}%); pacing at ${rate.toFixed(1)} ops/s for ${minutes} min`);
    // A closed loop that leaves the provider's core idle was held back by something else: the share is then no load level.
    if (max.serverCpu < 0.8) log(`WARNING: the provider used only ${(max.serverCpu * 100).toFixed(0)}% of its core at the maximum (a busy machine?): the paced load is not ${Number(opt['rate-share']) * 100}% of its capacity. Give the rate with --rate.`);
  } else log(`pacing at ${rate.toFixed(1)} ops/s (--rate) for ${minutes} min`);

  // Paced: operation k starts at t0 + k / rate; the latency counts from that scheduled time (no coordinated omission).
  const samples: { rss: number; heap: number }[] = [];
  let inFlight = 0;
  let skipped = 0;
  const t0 = performance.now();
  for (let minute = 1; minute <= minutes; minute++) {
    const end = t0 + minute * 60_000;
    const latencies: number[] = [];
    // p99 by kind (k % 5: 0 sign-in, 1 and 3 refresh, 2 and 4 userinfo), so a slow minute shows which path was slow.
    const byKind: number[][] = [[], [], []];
    const errorKinds = new Map<string, number>();
    const cpu0 = cpuSeconds(pid);
    const pending: Promise<void>[] = [];
    for (let k = Math.ceil(((minute - 1) * 60 * rate)); ; k++) {
      const at = t0 + (k / rate) * 1000;
      if (at >= end) break;
      const wait = at - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (inFlight >= 512) { skipped++; continue; } // the server has fallen far behind: do not pile up sockets
      inFlight++;
      pending.push(mixed(k).then(
        () => {
          const ms = performance.now() - at;
          latencies.push(ms);
          byKind[k % 5 === 0 ? 0 : k % 2 === 1 ? 1 : 2]!.push(ms);
        },
        (err: Error) => void errorKinds.set(err.message.slice(0, 80), (errorKinds.get(err.message.slice(0, 80)) ?? 0) + 1),
      ).finally(() => inFlight--));
    }
    await Promise.all(pending);
    const cpu = (cpuSeconds(pid) - cpu0) / 60;
    latencies.sort((a, b) => a - b);
    const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]?.toFixed(0) ?? '-';
    const sample = { rss: rss(), heap: await heap() };
    samples.push(sample);
    log(`minute ${minute}: ${(latencies.length / 60).toFixed(1)} ops/s, p50 ${latencies[latencies.length >> 1]?.toFixed(0)} ms, p99 ${p99(latencies)} ms (sign-in ${p99(byKind[0]!)}, refresh ${p99(byKind[1]!)}, userinfo ${p99(byKind[2]!)}), server CPU ${(cpu * 100).toFixed(0)}%, RSS ${MB(sample.rss)}, heap after GC ${MB(sample.heap)}${errorKinds.size ? `, errors: ${[...errorKinds].map(([m, n]) => `${n} × ${m}`).join('; ')}` : ''}${skipped ? `, ${skipped} skipped (512 in flight)` : ''}${latencies.length / 60 < 0.9 * rate ? ' — BEHIND: fewer than 90% of the scheduled operations finished, the provider got less CPU than at the probe' : ''}`);
  }

  const first = samples[0]!;
  const last = samples.at(-1)!;
  const growth = (a: number, b: number) => (b - a) / a;
  const [rssGrowth, heapGrowth] = [growth(first.rss, last.rss), growth(first.heap, last.heap)];
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  log(`\nminute 1 → minute ${samples.length}: RSS ${MB(first.rss)} → ${MB(last.rss)} (${pct(rssGrowth)}), heap after GC ${MB(first.heap)} → ${MB(last.heap)} (${pct(heapGrowth)})`);
  // Growth is what a leak looks like; memory given back after the warm-up (a lower last minute) is not.
  const grew = rssGrowth > threshold || heapGrowth > threshold;
  log(`${grew ? 'GROWTH' : 'NO GROWTH'}: RSS and heap after GC ${grew ? 'grew by more' : 'did not grow by more'} than ${opt.threshold}% from the first minute to the last (goal: no growth over ${minutes} min at ${opt.rate ? `${rate} ops/s` : `${Number(opt['rate-share']) * 100}% load`})`);
} finally {
  await stop(child);
  rmSync(probeFile, { force: true });
}
