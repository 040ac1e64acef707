import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import type { ClientRegistry } from '../clients/app.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { cappedText, readForm } from '../http/form-fields.ts';
import { AppError } from '../http/errors.ts';
import { requestLang } from '../http/render.ts';
import { translator, type MessageKey } from '../i18n/index.ts';
import { ACTIVITY_EVENTS } from './activity.service.ts';
import { ZONES } from '../zones/zones.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import { EXPORT_AUDIT_LIMIT, type MyDataService } from './my-data.service.ts';

export const DATA_BASE = `${ZONES.account.base}/data`;
const WITHDRAW_PAGE = `${DATA_BASE}/tarik`;
const appField = z.object({ app: cappedText(255) });
const LOCALE = { id: 'id-ID', en: 'en-GB' } as const;
/** The directory snapshot's fields, in the order the page lists them. */
const PROFILE_FIELDS = ['name', 'givenName', 'familyName', 'email', 'nip', 'employeeType', 'agencyCode', 'agencyName', 'position', 'grade', 'groups'] as const;

/**
 * "Data saya" (issue 12 §1, UU 27/2022): what each app receives and why, withdrawing an app's agreement (confirmed on a
 * page that says what follows), and everything Satu Akun holds about the person as a JSON download and a page.
 */
export const createMyDataRoutes = (deps: ZoneRouterDeps & { myData: MyDataService; clients: ClientRegistry }) => {
  const router = zoneRouter(deps, { back: DATA_BASE });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '4kb' });
  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;
  const where = (ctx: Context) => ({ ip: ctx.ip, clientId: ZONES.account.clientId });
  /** The app named by `?app=` or the form: blank is a bad request, an unknown one a 404 page (from the service). */
  const appOf = (source: unknown) => {
    const { app } = readForm(appField, source);
    if (!app) throw new AppError('data.no_consent', 404);
    return app;
  };

  router.get('/data', async (ctx) => {
    const apps = await deps.myData.overview(userOf(ctx).account.sub);
    const withdrawn = typeof ctx.query.ditarik === 'string' ? ((await deps.clients.find(ctx.query.ditarik))?.name ?? ctx.query.ditarik.slice(0, 255)) : undefined;
    deps.render(ctx, 'portal/data', { apps, withdrawn, auditLimit: EXPORT_AUDIT_LIMIT.toLocaleString(LOCALE[requestLang(ctx)]) });
  });

  router.get('/data/tarik', async (ctx) => {
    const app = await deps.myData.consented(userOf(ctx).account.sub, appOf(ctx.query));
    deps.render(ctx, 'portal/data-withdraw', { app, action: WITHDRAW_PAGE, cancel: DATA_BASE });
  });

  router.post('/data/tarik', form, async (ctx) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    verifyCsrf(ctx, body?._csrf);
    const app = await deps.myData.withdraw(userOf(ctx).account.sub, appOf(body), where(ctx));
    ctx.status = 303;
    ctx.redirect(`${DATA_BASE}?ditarik=${encodeURIComponent(app.clientId)}`);
  });

  router.get('/data/unduh', async (ctx) => {
    // Everything held about a person in one file: a session left open on a shared computer must not hand it over.
    if (await deps.zone.requireRecent(ctx, `${DATA_BASE}/unduh`)) return;
    const { account } = userOf(ctx);
    const data = await deps.myData.export(account, 'json', where(ctx));
    const day = data.exportedAt.slice(0, 10);
    ctx.set('Cache-Control', 'no-store');
    ctx.attachment(`satu-akun-data-saya-${day}.json`);
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = `${JSON.stringify(data, null, 2)}\n`;
  });

  router.get('/data/lengkap', async (ctx) => {
    const data = await deps.myData.export(userOf(ctx).account, 'page', where(ctx));
    const t = translator(requestLang(ctx));
    // Events a person reads about in Aktivitas are named in words; the rest (administrators' work) by their code.
    const named = new Set<string>(ACTIVITY_EVENTS);
    const audit = data.auditRecords.records.map((r) => ({ ...r, at: new Date(r.at), label: named.has(r.event) ? t(`activity.event.${r.event}` as MessageKey) : r.event }));
    const profile = PROFILE_FIELDS.flatMap((field) => {
      const value = (data.account.profile as Record<string, unknown>)[field];
      return value === undefined || value === null || value === '' ? [] : [{ label: t(`data.field.${field}`), value: Array.isArray(value) ? value.join(', ') : String(value) }];
    });
    deps.render(ctx, 'portal/data-full', { data, profile, audit, auditLimit: EXPORT_AUDIT_LIMIT.toLocaleString(LOCALE[requestLang(ctx)]), wide: true });
  });

  return router;
};
