import type { ClientRegistry } from '../clients/app.ts';
import type { Agencies } from '../roles/agencies.ts';
import type { Clock } from '../shared/clock.ts';
import { auditLink } from './audit-link.ts';
import { NO_AGENCY, NO_APP } from './aggregate.ts';
import { daysBetween, eachDay } from './days.ts';
import type { Keyed, ReportsRepo } from './reports.repo.ts';

/** A period of calendar days in the regency's time zone, both ends included. */
export interface Period {
  from: string;
  to: string;
}

/** One bar of a chart and one row of its table: `name` is what a person reads; `link` the audit filter behind it. */
export interface Item {
  key: string;
  name: string;
  value: number;
  link?: string;
}

export interface AgencySection {
  code: string;
  name: string;
  signins: number;
  activePeople: number;
  failures: number;
  lockouts: number;
  factor?: { accounts: number; withFactor: number };
  apps: Item[];
  links: { signins: string; failures: string; active: string };
}

/** Everything a report shows, built once and rendered as the page, the monthly HTML and the PDF. */
export interface ReportData {
  period: Period;
  generatedAt: Date;
  totals: { signins: number; activePeople: number; failures: number; lockouts: number };
  links: { signins: string; failures: string; lockouts: string; active: string };
  signinsByApp: Item[];
  signinsByAgency: Item[];
  signinsByLevel: Item[];
  failuresByReason: Item[];
  activeByApp: Item[];
  activeByDay: Item[];
  factors: { day: string | null; rows: (Item & { accounts: number; withFactor: number })[] };
  appsByStatus: Item[];
  waiting: { count: number; oldestDays: number; averageDays: number };
  dormant: { count: number; days: number };
  agencies: AgencySection[];
}

const total = (rows: Keyed[]) => rows.reduce((n, r) => n + r.value, 0);
const DAY_MS = 86_400_000;

/** Builds a report from the aggregates (never from the trail itself) with names for apps, agencies and levels. */
export const createReportData = (deps: { repo: ReportsRepo; clients: ClientRegistry; agencies: Agencies; clock: Clock; dormantDays: number }) => {
  const { repo } = deps;

  return async (period: Period, options: { perAgency?: boolean } = {}): Promise<ReportData> => {
    const { from, to } = period;
    const agencyNames = new Map((await deps.agencies.list()).map((a) => [a.code, a.name]));
    const agencyName = (code: string) => (code === NO_AGENCY ? '' : (agencyNames.get(code) ?? code));
    const appNames = new Map<string, string>();
    const appName = async (clientId: string) => {
      if (clientId === NO_APP) return '';
      if (!appNames.has(clientId)) appNames.set(clientId, (await deps.clients.find(clientId))?.name ?? clientId);
      return appNames.get(clientId)!;
    };
    const apps = async (rows: Keyed[], link: (key: string) => string | undefined): Promise<Item[]> =>
      Promise.all(rows.map(async (r) => ({ ...r, name: await appName(r.key), link: link(r.key) })));
    const signinLink = (extra: { app?: string; agency?: string } = {}) => auditLink({ from, to, event: 'signin.success', ...extra });
    const failureLink = (extra: { agency?: string } = {}) => auditLink({ from, to, event: 'signin.failure', result: 'failure', ...extra });

    const [byApp, byAgency, byLevel, byReason, activeApp, activeDay, activePeople, factors, statuses, waitingSince] = await Promise.all([
      repo.signinsBy('client_id', from, to),
      repo.signinsBy('agency', from, to),
      repo.signinsBy('acr', from, to),
      repo.failuresBy('reason', from, to),
      repo.activeByApp(from, to),
      repo.activeByDay(from, to),
      repo.activePeople(from, to),
      repo.factors(to),
      repo.appsByStatus(),
      repo.waitingSince(),
    ]);
    const now = deps.clock.now();
    const waits = waitingSince.map((at) => Math.max(0, (now.getTime() - at.getTime()) / DAY_MS));
    const perDay = new Map(activeDay.map((r) => [r.key, r.value]));
    const lockouts = byReason.find((r) => r.key === 'throttled')?.value ?? 0;

    const data: ReportData = {
      period,
      generatedAt: now,
      totals: { signins: total(byApp), activePeople, failures: total(byReason), lockouts },
      links: { signins: signinLink(), failures: failureLink(), lockouts: failureLink(), active: auditLink({ from, to, event: 'signin.success' }) },
      signinsByApp: await apps(byApp, (k) => signinLink(k === NO_APP ? {} : { app: k })),
      signinsByAgency: byAgency.map((r) => ({ ...r, name: agencyName(r.key), link: signinLink(r.key === NO_AGENCY ? {} : { agency: r.key }) })),
      signinsByLevel: byLevel.map((r) => ({ ...r, name: r.key.replace(/^urn:satu-akun:loa:/, ''), link: signinLink() })),
      failuresByReason: byReason.map((r) => ({ ...r, name: r.key, link: failureLink() })),
      activeByApp: await apps(activeApp, (k) => auditLink({ from, to, app: k, result: 'success' })),
      activeByDay: daysBetween(from, to) < 62 ? eachDay(from, to).map((d) => ({ key: d, name: d, value: perDay.get(d) ?? 0, link: auditLink({ from: d, to: d, event: 'signin.success' }) })) : [],
      factors: {
        day: factors.day,
        rows: factors.rows.map((r) => ({ key: r.agency, name: agencyName(r.agency), value: r.accounts ? Math.round((r.withFactor / r.accounts) * 1000) / 10 : 0, accounts: r.accounts, withFactor: r.withFactor })),
      },
      appsByStatus: statuses.map((r) => ({ ...r, name: r.key })),
      waiting: { count: waits.length, oldestDays: Math.floor(Math.max(0, ...waits)), averageDays: waits.length ? Math.round((waits.reduce((a, b) => a + b, 0) / waits.length) * 10) / 10 : 0 },
      dormant: { count: await repo.dormant(new Date(now.getTime() - deps.dormantDays * DAY_MS)), days: deps.dormantDays },
      agencies: [],
    };
    if (!options.perAgency) return data;

    // One section per agency that had any sign-in, failure or account in the period, in name order.
    const failuresByAgency = new Map((await repo.failuresBy('agency', from, to)).map((r) => [r.key, r.value]));
    const codes = new Set([...byAgency.map((r) => r.key), ...failuresByAgency.keys(), ...factors.rows.map((r) => r.agency)].filter((c) => c !== NO_AGENCY));
    for (const code of codes) {
      const reasons = await repo.failuresBy('reason', from, to, code);
      const factor = factors.rows.find((r) => r.agency === code);
      data.agencies.push({
        code,
        name: agencyName(code),
        signins: byAgency.find((r) => r.key === code)?.value ?? 0,
        activePeople: await repo.activePeople(from, to, code),
        failures: total(reasons),
        lockouts: reasons.find((r) => r.key === 'throttled')?.value ?? 0,
        ...(factor ? { factor: { accounts: factor.accounts, withFactor: factor.withFactor } } : {}),
        apps: await apps(await repo.signinsBy('client_id', from, to, code), (k) => signinLink(k === NO_APP ? { agency: code } : { app: k, agency: code })),
        links: { signins: signinLink({ agency: code }), failures: failureLink({ agency: code }), active: auditLink({ from, to, agency: code, result: 'success' }) },
      });
    }
    data.agencies.sort((a, b) => a.name.localeCompare(b.name, 'id'));
    return data;
  };
};

export type BuildReport = ReturnType<typeof createReportData>;
