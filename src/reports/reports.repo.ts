import type { Knex } from 'knex';

/** A count under one key (an app, an agency, a level, a reason, a day, a status). */
export interface Keyed {
  key: string;
  value: number;
}

const keyed = (rows: unknown[]): Keyed[] => (rows as { key: string; value: number | string }[]).map((r) => ({ key: String(r.key), value: Number(r.value) }));

/**
 * SQL for the usage reports: reads the aggregate tables of migration 017 for a period of days (`from`, `to`
 * included), and the few live figures that do not come from the trail (apps by status, reviews waiting, dormant
 * accounts). `agency`: only that agency's figures.
 */
export const createReportsRepo = (knex: Knex) => {
  const inPeriod = (q: Knex.QueryBuilder, from: string, to: string, agency?: string) => {
    q.where('day', '>=', from).andWhere('day', '<=', to);
    if (agency) q.andWhere('agency', agency);
    return q;
  };
  const sumBy = async (table: string, column: string, from: string, to: string, agency?: string): Promise<Keyed[]> =>
    keyed(await inPeriod(knex(table), from, to, agency).select(`${column} as key`).sum({ value: 'count' }).groupBy(column).orderBy('value', 'desc').orderBy(column));

  return {
    signinsBy: (column: 'client_id' | 'agency' | 'acr' | 'day', from: string, to: string, agency?: string) => sumBy('report_signins', column, from, to, agency),
    failuresBy: (column: 'reason' | 'agency', from: string, to: string, agency?: string) => sumBy('report_failures', column, from, to, agency),

    /** Distinct people active in each app over the whole period. */
    activeByApp: async (from: string, to: string, agency?: string): Promise<Keyed[]> =>
      keyed(await inPeriod(knex('report_active'), from, to, agency).select('client_id as key').countDistinct({ value: 'sub' }).groupBy('client_id').orderBy('value', 'desc').orderBy('client_id')),

    /** Distinct people active in any app, per day. */
    activeByDay: async (from: string, to: string, agency?: string): Promise<Keyed[]> =>
      keyed(await inPeriod(knex('report_active'), from, to, agency).select('day as key').countDistinct({ value: 'sub' }).groupBy('day').orderBy('day')),

    /** Distinct people active in any app over the whole period. */
    activePeople: async (from: string, to: string, agency?: string): Promise<number> => {
      const row = (await inPeriod(knex('report_active'), from, to, agency).countDistinct({ value: 'sub' }).first()) as { value: number | string } | undefined;
      return Number(row?.value ?? 0);
    },

    /** The latest second-factor snapshot on or before `to`, by agency. */
    factors: async (to: string): Promise<{ day: string | null; rows: { agency: string; accounts: number; withFactor: number }[] }> => {
      const latest = (await knex('report_factors').where('day', '<=', to).max({ day: 'day' }).first()) as { day: string | null } | undefined;
      if (!latest?.day) return { day: null, rows: [] };
      const rows = (await knex('report_factors').where({ day: latest.day }).orderBy('agency')) as { agency: string; accounts: number | string; with_factor: number | string }[];
      return { day: latest.day, rows: rows.map((r) => ({ agency: r.agency, accounts: Number(r.accounts), withFactor: Number(r.with_factor) })) };
    },

    /** Registered apps by status, as the apps table says now. */
    appsByStatus: async (): Promise<Keyed[]> => keyed(await knex('apps').select('status as key').count({ value: '*' }).groupBy('status').orderBy('status')),

    /** When each registration or change now waiting for a review was submitted. */
    waitingSince: async (): Promise<Date[]> =>
      ((await knex('app_versions').where({ state: 'submitted' }).whereNotNull('submitted_at').select('submitted_at')) as { submitted_at: string | Date }[]).map((r) => new Date(r.submitted_at)),

    /** Active accounts whose last sign-in (or creation, if they never completed one) is before `before`. */
    dormant: async (before: Date): Promise<number> => {
      const row = (await knex('accounts')
        .where({ status: 'active' })
        .andWhere((q) => q.where('last_login_at', '<', before.toISOString()).orWhere((r) => r.whereNull('last_login_at').andWhere('created_at', '<', before.toISOString())))
        .count({ value: '*' })
        .first()) as { value: number | string } | undefined;
      return Number(row?.value ?? 0);
    },
  };
};

export type ReportsRepo = ReturnType<typeof createReportsRepo>;
