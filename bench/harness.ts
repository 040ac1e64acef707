/** What both layouts share: starting a pinned server process and measuring one metric over rounds. */
import type { ChildProcess } from 'node:child_process';
import { askCounts } from './counts.ts';
import { round, type Round, type RoundExtras } from './measure.ts';
import { pinned, spawnReady } from './procs.ts';

export const log = (line: string) => process.stderr.write(`${line}\n`);
export const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export interface Server {
  child: ChildProcess;
  issuer: string;
  pid: number;
  /** The server's SQL and Redis counts so far (bench/counts.ts). */
  counts: () => ReturnType<typeof askCounts>;
}

/**
 * Starts `node [nodeArgs] --import tsx <script> [args]` (pinned to `cpu` when given) with an IPC channel, waits for
 * its `READY <issuer>` line and then for `readyPath` to answer 200.
 */
export const startServer = async (script: string, args: string[], options: { cpu: number | undefined; nodeArgs?: string[]; readyPath: string }): Promise<Server> => {
  const path = new URL(script, import.meta.url).pathname;
  const [cmd, argv] = pinned(options.cpu, process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', path, ...args]);
  const { child, match } = await spawnReady(cmd, argv, /^READY (\S+)/, 60_000, true);
  const issuer = match[1]!;
  for (let i = 0; ; i++) {
    const res = await fetch(new URL(options.readyPath, issuer)).catch(() => undefined);
    if (res?.status === 200) break;
    if (i >= 100) throw new Error(`${issuer}${options.readyPath} not ready: ${res?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, issuer, pid: child.pid!, counts: () => askCounts(child) };
};

export interface MeasureSpec {
  label: string;
  workers: number;
  warmup: number;
  rounds: number;
  seconds: number;
  serverCpu: number;
  auxCpu: number;
}

/** Busy time of the server's CPU not spent by the server (or, with a group, by the server and its services). */
export const foreign = (r: Round, serverCpu: number) => Math.max(0, (r.cores[serverCpu]?.busy ?? 0) - (r.groupCpu ?? r.serverCpu));

/** A warm-up round (JIT, pools, caches), logged on stderr; not measured. */
export const warmUp = async (spec: MeasureSpec, pid: number, op: (w: number, i: number) => Promise<unknown>, extras: RoundExtras = {}): Promise<void> => {
  const w = await round(spec.workers, spec.warmup, pid, op, extras);
  log(`  ${spec.label}: warm-up ${w.rate.toFixed(0)}/s${w.errors ? `, ${w.errors} errors: ${w.firstError}` : ''}`);
};

/** Measured round `r` of one metric, logged on stderr with its CPU split and counts. */
export const measuredRound = async (spec: MeasureSpec, r: number, pid: number, op: (w: number, i: number) => Promise<unknown>, extras: RoundExtras = {}): Promise<Round> => {
  const { label, workers, serverCpu, auxCpu } = spec;
  const res = await round(workers, spec.seconds, pid, op, extras);
  const by = Object.entries(res.groupCpuBy ?? {}).filter(([, s]) => s * 1000 >= res.ok * 0.05).sort((a, b) => b[1] - a[1]);
  const group = res.groupCpu === undefined ? '' : `  group ${pct(res.groupCpu)} (CPU ms/op: ${by.map(([name, s]) => `${name} ${((s * 1000) / res.ok).toFixed(2)}`).join(', ')})`;
  const c = res.counts;
  const perOp = (n: number | undefined) => (n === undefined ? '?' : (n / res.ok).toFixed(1));
  const server = c?.redisServerCommands === undefined ? '' : ` (Redis's INFO: ${perOp(c.redisServerCommands)} commands, ${perOp(c.redisServerReads)} reads)`;
  const counts = c && res.ok ? `  SQL/op ${perOp(c.sql)}  Redis/op ${perOp(c.redisCommands)} commands in ${perOp(c.redisRoundTrips)} round trips${server}` : '';
  log(`  ${label}: round ${r} ${res.rate.toFixed(1)}/s  p50 ${res.p50ms.toFixed(1)} ms  p99 ${res.p99ms.toFixed(1)} ms  server ${pct(res.serverCpu)}${group}  load-gen ${pct(res.loadCpu)}  other work on CPU ${serverCpu} ${pct(foreign(res, serverCpu))}  CPU ${auxCpu} busy ${pct(res.cores[auxCpu]?.busy ?? NaN)}${counts}${res.errors ? `  ${res.errors} errors: ${res.firstError}` : ''}`);
  return res;
};

/** Warm-up, then the measured rounds of one metric, each logged on stderr. */
export const measure = async (spec: MeasureSpec, pid: number, op: (w: number, i: number) => Promise<unknown>, extras: RoundExtras = {}): Promise<Round[]> => {
  await warmUp(spec, pid, op, extras);
  const out: Round[] = [];
  for (let r = 1; r <= spec.rounds; r++) out.push(await measuredRound(spec, r, pid, op, extras));
  return out;
};
