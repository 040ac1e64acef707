import type { Context } from 'koa';
import { requestLang } from '../http/render.ts';
import { translator } from '../i18n/index.ts';
import type { GlobalRole } from '../roles/roles.service.ts';
import { holds, zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import { barChart, dayChart } from './charts.ts';
import { daysBetween, lastDayOf, validDay, validMonth } from './days.ts';
import { monthlyPdf } from './pdf.ts';
import type { ReportsService } from './reports.service.ts';

/** Who reads the usage reports: administrators, auditors (Inspektorat) and leadership (Bupati, Sekda). */
export const REPORT_READERS: readonly GlobalRole[] = ['administrator', 'auditor', 'leadership'];
/** Who may follow a figure to the audit records behind it: those who may open the audit viewer. */
const TRAIL_READERS: readonly GlobalRole[] = ['administrator', 'auditor'];
export const REPORTS_BASE = '/admin/laporan';
const MAX_DAYS = 366;

/**
 * `/admin/laporan`: the figures of a period (default: this month so far) with charts; `/bulanan`: the monthly
 * report for the Bupati as a printable page; `/bulanan.pdf`: the same report as a PDF made on the server. All three
 * render one `ReportData` built from the aggregates. Bad dates give the page again with a message, never a 500.
 */
export const createReportsRoutes = (deps: ZoneRouterDeps & { reports: ReportsService; timeZone: string; regencyName: string }) => {
  const { render, reports } = deps;
  const router = zoneRouter(deps, { prefix: REPORTS_BASE, back: '/admin', roles: REPORT_READERS, refusal: 'reports.forbidden' });
  const view = (ctx: Context) => ({ traceable: holds(ctx, TRAIL_READERS), barChart, dayChart, timeZone: deps.timeZone });

  router.get('/', async (ctx) => {
    const today = reports.today();
    const asked = { from: typeof ctx.query.from === 'string' ? ctx.query.from : '', to: typeof ctx.query.to === 'string' ? ctx.query.to : '' };
    const from = asked.from ? validDay(asked.from) : `${today.slice(0, 8)}01`;
    const to = asked.to ? validDay(asked.to) : today;
    if (!from || !to || from > to || daysBetween(from, to) >= MAX_DAYS) {
      ctx.status = 400;
      return render(ctx, 'admin/reports', { ...view(ctx), error: translator(requestLang(ctx))('reports.bad_period'), from: asked.from.slice(0, 10), to: asked.to.slice(0, 10) });
    }
    const data = await reports.report({ from, to });
    render(ctx, 'admin/reports', { ...view(ctx), data, from, to, month: today.slice(0, 7) });
  });

  /** The month asked for (`?bulan=YYYY-MM`, default this month), or undefined when it is malformed. */
  const monthOf = (ctx: Context) => (ctx.query.bulan === undefined || ctx.query.bulan === '' ? reports.today().slice(0, 7) : validMonth(ctx.query.bulan));
  const monthly = async (month: string) => {
    const to = lastDayOf(month);
    const today = reports.today();
    return reports.report({ from: `${month}-01`, to: to < today ? to : today < `${month}-01` ? `${month}-01` : today }, { perAgency: true });
  };

  router.get('/bulanan', async (ctx) => {
    const month = monthOf(ctx);
    if (!month) {
      ctx.status = 400;
      return render(ctx, 'admin/reports-monthly', { ...view(ctx), error: translator(requestLang(ctx))('reports.monthly.bad_month'), month: String(ctx.query.bulan).slice(0, 7) });
    }
    render(ctx, 'admin/reports-monthly', { ...view(ctx), data: await monthly(month), month });
  });

  router.get('/bulanan.pdf', async (ctx) => {
    const month = monthOf(ctx);
    if (!month) {
      ctx.status = 400;
      return render(ctx, 'admin/reports-monthly', { ...view(ctx), error: translator(requestLang(ctx))('reports.monthly.bad_month'), month: String(ctx.query.bulan).slice(0, 7) });
    }
    const pdf = await monthlyPdf(await monthly(month), { regency: deps.regencyName, timeZone: deps.timeZone });
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="laporan-satu-akun-${month}.pdf"`);
    ctx.type = 'application/pdf';
    ctx.body = pdf;
  });

  return router;
};
