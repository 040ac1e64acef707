/** The one-core layout's table: every Satu Akun figure beside the bare engine's, with the ratio of the rates. */
import { foreign, pct } from './harness.ts';
import { median, type Round } from './measure.ts';
import { ONE_CORE_METRICS, type EngineResult, type OneCoreMetric } from './one-core.ts';

/** Per operation over all rounds of a metric: total counted / total operations. */
export const perOp = (rounds: Round[], key: 'sql' | 'redisCommands' | 'redisRoundTrips') => {
  const ops = rounds.reduce((n, r) => n + r.ok, 0);
  return ops && rounds.every((r) => r.counts) ? rounds.reduce((n, r) => n + r.counts![key], 0) / ops : NaN;
};
const rate = (rounds: Round[]) => median(rounds.map((r) => r.rate));
/** CPU milliseconds per operation of the whole group (provider + PostgreSQL + Redis + slapd). */
const cpuMs = (rounds: Round[]) => (median(rounds.map((r) => r.groupCpu ?? r.serverCpu)) / rate(rounds)) * 1000;
/** CPU milliseconds per operation by program over all rounds: node (the provider), postgres, redis-server, slapd. */
const byProgram = (rounds: Round[]) => {
  const ops = rounds.reduce((n, r) => n + r.ok, 0);
  const ms = (name: string) => (rounds.reduce((n, r) => n + (r.groupCpuBy?.[name] ?? 0), 0) * 1000) / ops;
  return ['node', 'postgres', 'redis-server', 'slapd'].map((name) => ms(name).toFixed(1)).join(' · ');
};
const both = (a: number, b: number, digits = 1) => `${a.toFixed(digits)} | ${b.toFixed(digits)}`;

export const oneCoreRows = (res: Record<'satu-akun' | 'bare', EngineResult>, serverCpu: number) => {
  const rows = (Object.keys(ONE_CORE_METRICS) as OneCoreMetric[]).flatMap((m) => {
    const sa = res['satu-akun'].metrics[m];
    const bare = res.bare.metrics[m];
    if (!sa || !bare) return [];
    return [{
      metric: ONE_CORE_METRICS[m],
      'Satu Akun': rate(sa).toFixed(0),
      ratio: `${((rate(sa) / rate(bare)) * 100).toFixed(0)} %`,
      bare: rate(bare).toFixed(0),
      'p99 ms (SA | bare)': both(median(sa.map((r) => r.p99ms)), median(bare.map((r) => r.p99ms))),
      'CPU ms/op (SA | bare)': both(cpuMs(sa), cpuMs(bare), 2),
      // The rate ratio a full core would give if both are CPU-bound: steadier than `ratio` on a shared machine.
      'ratio by CPU/op': `${((cpuMs(bare) / cpuMs(sa)) * 100).toFixed(0)} %`,
      'provider | group CPU (SA)': `${pct(median(sa.map((r) => r.serverCpu)))} | ${pct(median(sa.map((r) => r.groupCpu ?? NaN)))}`,
      'CPU ms/op node · pg · redis · slapd (SA | bare)': `${byProgram(sa)} | ${byProgram(bare)}`,
      'SQL/op': perOp(sa, 'sql').toFixed(1),
      'Redis cmd/op (SA | bare)': both(perOp(sa, 'redisCommands'), perOp(bare, 'redisCommands')),
      'Redis RT/op (SA | bare)': both(perOp(sa, 'redisRoundTrips'), perOp(bare, 'redisRoundTrips')),
      [`other on CPU ${serverCpu}`]: pct(Math.max(...[...sa, ...bare].map((r) => foreign(r, serverCpu)))),
      errors: [...sa, ...bare].reduce((n, r) => n + r.errors, 0),
    }];
  });
  const sa = res['satu-akun'];
  const bare = res.bare;
  const rss = `provider RSS idle → peak (MB): Satu Akun ${sa.rssIdleMb.toFixed(0)} → ${sa.rssPeakMb.toFixed(0)} (${((sa.rssIdleMb / bare.rssIdleMb) * 100).toFixed(0)} % | ${((sa.rssPeakMb / bare.rssPeakMb) * 100).toFixed(0)} % of bare), bare ${bare.rssIdleMb.toFixed(0)} → ${bare.rssPeakMb.toFixed(0)}; VmHWM ${sa.rssHwmMb.toFixed(0)} | ${bare.rssHwmMb.toFixed(0)}`;
  return { rows, rss };
};
