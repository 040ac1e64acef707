import type { Knex } from 'knex';
import type { ClientRegistry } from '../clients/app.ts';
import type { TimeZone } from '../http/form-fields.ts';
import type { Agencies } from '../roles/agencies.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { createAggregator } from './aggregate.ts';
import { createReportData, type Period } from './report-data.ts';
import { createReportsRepo } from './reports.repo.ts';
import { dayOf } from './days.ts';

/** How often the aggregates catch up with the trail in the background. */
export const REFRESH_MS = 5 * 60_000;
/** A page view catches up first when the cursor is at most this many records behind (a few batches); else the timer does. */
const CATCH_UP_ON_VIEW = 5_000;

/**
 * The usage reports: the aggregator on an unref'd timer (one run at a time in this process; runs in several
 * processes are safe, see `createAggregator`), and the report builder that reads the aggregates.
 */
export const createReportsService = (deps: { knex: Knex; clock: Clock; logger: Logger; timeZone: TimeZone; clients: ClientRegistry; agencies: Agencies; dormantDays: number }) => {
  const aggregator = createAggregator(deps);
  const build = createReportData({ repo: createReportsRepo(deps.knex), clients: deps.clients, agencies: deps.agencies, clock: deps.clock, dormantDays: deps.dormantDays });
  const today = dayOf(deps.timeZone);
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Runs the aggregator unless a run is under way, in which case that run is awaited. */
  const refresh = (): Promise<unknown> => {
    running ??= aggregator.run().finally(() => (running = undefined));
    return running;
  };
  const background = () => void refresh().catch((err: unknown) => deps.logger.warn({ err }, 'usage reports: aggregation failed'));

  return {
    refresh,
    start: () => {
      background();
      timer = setInterval(background, REFRESH_MS);
      timer.unref();
    },
    close: async () => {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
    /** The report for `period`, after catching up when little is missing (a large backlog is left to the timer). */
    report: async (period: Period, options: { perAgency?: boolean } = {}) => {
      if ((await aggregator.behind()) <= CATCH_UP_ON_VIEW) await refresh();
      else background();
      return build(period, options);
    },
    /** Today in the regency's time zone, `YYYY-MM-DD`. */
    today: () => today(deps.clock.now()),
  };
};

export type ReportsService = ReturnType<typeof createReportsService>;
