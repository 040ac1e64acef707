import { performance } from 'node:perf_hooks';
import type { Counts } from './counts.ts';
import { minus } from './counts.ts';
import { cpuBetween, cpuBetweenBy, cpuSeconds, cpuTimes, rssMb, treeCpu } from './procs.ts';

/** The outcome of one duration-bounded round. */
export interface Round {
  /** Completed operations per second of wall time. */
  rate: number;
  ok: number;
  errors: number;
  seconds: number;
  /** Share of one core the server process used (1 = a full core). */
  serverCpu: number;
  /** Share of one core this load generator used. */
  loadCpu: number;
  /** Per CPU: share busy and share in I/O wait over the round (the server's core and the helpers' core). */
  cores: { busy: number; iowait: number }[];
  p50ms: number;
  p99ms: number;
  firstError?: string;
  /** With `group`: share of one core used by the server and its services (every process of their trees). */
  groupCpu?: number;
  /** With `group`: the same, by program (node, postgres, redis-server, slapd), in CPU seconds over the round. */
  groupCpuBy?: Record<string, number>;
  /** With `counts`: what the server did during the round (divide by `ok` for per operation). */
  counts?: Counts;
  /** Largest resident size of the server process sampled during the round (every 200 ms), in MB. */
  rssPeakMb: number;
}

/** Optional extras of a round: the process trees of the server's services, and the server's own counts. */
export interface RoundExtras {
  group?: () => number[];
  counts?: () => Promise<Counts>;
}

/** The middle value (mean of the two middle ones for an even count). */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * Runs `op` in `workers` concurrent loops until `seconds` have passed (operations in flight then are finished and
 * counted), measuring throughput, latency and the CPU used by the server process `serverPid` and by this process.
 */
export const round = async (workers: number, seconds: number, serverPid: number, op: (worker: number, i: number) => Promise<unknown>, extras: RoundExtras = {}): Promise<Round> => {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const counts0 = await extras.counts?.();
  const group0 = extras.group && treeCpu(extras.group());
  let rssPeakMb = rssMb(serverPid).rss;
  const sampler = setInterval(() => {
    try {
      rssPeakMb = Math.max(rssPeakMb, rssMb(serverPid).rss);
    } catch {
      // the server died: the round's errors say so
    }
  }, 200);
  const cpu0 = cpuSeconds(serverPid);
  const load0 = process.cpuUsage();
  const cores0 = cpuTimes();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const started = performance.now();
        try {
          await op(w, i);
          latencies.push(performance.now() - started);
        } catch (err) {
          errors++;
          firstError ??= String((err as Error)?.message ?? err);
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const serverCpu = (cpuSeconds(serverPid) - cpu0) / elapsed;
  const group1 = group0 && treeCpu(extras.group!());
  const groupCpu = group0 && cpuBetween(group0, group1!) / elapsed;
  const groupCpuBy = group0 && cpuBetweenBy(group0, group1!);
  const counts1 = counts0 && (await extras.counts!());
  const load = process.cpuUsage(load0);
  const cores = cpuTimes().map((c, i) => {
    const before = cores0[i] ?? { busy: 0, iowait: 0, total: 0 };
    const total = c.total - before.total || 1;
    return { busy: (c.busy - before.busy) / total, iowait: (c.iowait - before.iowait) / total };
  });
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / elapsed,
    ok: latencies.length,
    errors,
    seconds: elapsed,
    serverCpu,
    ...(groupCpu !== undefined ? { groupCpu, groupCpuBy } : {}),
    ...(counts0 && counts1 ? { counts: minus(counts1, counts0) } : {}),
    rssPeakMb,
    loadCpu: (load.user + load.system) / 1e6 / elapsed,
    cores,
    p50ms: quantile(latencies, 0.5),
    p99ms: quantile(latencies, 0.99),
    ...(firstError ? { firstError } : {}),
  };
};
