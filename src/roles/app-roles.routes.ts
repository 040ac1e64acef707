import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import { actorOf as zoneActor } from '../clients/actor.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { cappedText, endOfDay, readForm } from '../http/form-fields.ts';
import { AppError } from '../http/errors.ts';
import { requestLang } from '../http/render.ts';
import { translator } from '../i18n/index.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import type { AppRolesService } from './app-roles.service.ts';

const grantForm = z.object({ login: cappedText(256).transform((v) => v.trim()), role: cappedText(64), until: cappedText(10), reason: cappedText(2000) });
const idForm = z.object({ id: cappedText(12), reason: cappedText(2000) });
const idOf = (value: string) => (/^\d{1,9}$/.test(value) ? Number(value) : NaN);
const DONE = new Set(['granted', 'pending', 'approved', 'revoked', 'kept']);
/** Refusals shown on the form they concern (a person out of scope, a duplicate), with their own status. */
const ON_FORM = new Set([400, 403, 404, 409]);

const formRefusal = (ctx: Context, err: unknown): string => {
  if (!(err instanceof AppError) || !ON_FORM.has(err.status)) throw err;
  ctx.status = err.status;
  return translator(requestLang(ctx))(err.code, err.params);
};

/**
 * The app roles pages, the same in the admin console (administrators, agency administrators) and the developer portal
 * (an app's owners): `<zone>/peran-aplikasi` lists the apps the person may assign roles in, `/:clientId` shows who
 * holds what with forms to assign, approve (level-3 apps) and remove. Changes need level 3 proven recently.
 */
export const createAppRolesRoutes = (deps: ZoneRouterDeps & { appRoles: AppRolesService }) => {
  const { render, appRoles, zone } = deps;
  const router = zoneRouter(deps);
  const base = `${zone.base}/peran-aplikasi`;
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });
  const change = (ctx: Context) => ({ ip: ctx.ip, clientId: ctx.state.page?.zone === '/admin' ? 'satu-akun-admin' : 'satu-akun-developer' });
  const appPage = (clientId: string) => `${base}/${encodeURIComponent(clientId)}`;
  // In the developer portal people act as the owners of the apps they registered; in the console by their roles only.
  const asOwner = zone.base === '/developer';
  const actorOf = (ctx: Context) => ({ ...zoneActor(ctx), asOwner });

  router.get('/peran-aplikasi', async (ctx) => {
    render(ctx, 'roles/app-list', { apps: await appRoles.appsFor(actorOf(ctx)), base });
  });

  const show = async (ctx: Context, clientId: string, extra: Record<string, unknown> = {}) => {
    const view = await appRoles.view(actorOf(ctx), clientId);
    const done = typeof ctx.query.done === 'string' && DONE.has(ctx.query.done) ? ctx.query.done : undefined;
    render(ctx, 'roles/app-roles', { ...view, self: appPage(clientId), base, me: actorOf(ctx).sub, done, values: {}, ...extra });
  };

  router.get('/peran-aplikasi/:clientId', async (ctx) => show(ctx, String(ctx.params.clientId)));

  /** CSRF checked and level 3 proven recently; true when the person was sent to prove it first. */
  const changing = async (ctx: Context, back: string) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    return zone.requireFresh(ctx, back);
  };

  router.post('/peran-aplikasi/:clientId/beri', form, async (ctx) => {
    const clientId = String(ctx.params.clientId);
    if (await changing(ctx, appPage(clientId))) return;
    const values = readForm(grantForm, ctx.request.body);
    let state: string;
    try {
      const until = endOfDay(values.until, zone.timeZone);
      if (until === null) throw new AppError('roles.until_invalid', 400);
      state = (await appRoles.grant(actorOf(ctx), { clientId, role: values.role, login: values.login, reason: values.reason, ...(until ? { until } : {}) }, change(ctx))).state;
    } catch (err) {
      const error = formRefusal(ctx, err);
      return show(ctx, clientId, { error, values });
    }
    ctx.status = 303;
    ctx.redirect(`${appPage(clientId)}?done=${state === 'pending' ? 'pending' : 'granted'}`);
  });

  router.post('/peran-aplikasi/:clientId/setujui', form, async (ctx) => {
    const clientId = String(ctx.params.clientId);
    if (await changing(ctx, appPage(clientId))) return;
    await appRoles.approve(actorOf(ctx), idOf(readForm(idForm, ctx.request.body).id), change(ctx));
    ctx.status = 303;
    ctx.redirect(`${appPage(clientId)}?done=approved`);
  });

  router.post('/peran-aplikasi/:clientId/tetap', form, async (ctx) => {
    const clientId = String(ctx.params.clientId);
    if (await changing(ctx, appPage(clientId))) return;
    await appRoles.keep(actorOf(ctx), idOf(readForm(idForm, ctx.request.body).id), change(ctx));
    ctx.status = 303;
    ctx.redirect(`${appPage(clientId)}?done=kept`);
  });

  router.post('/peran-aplikasi/:clientId/cabut', form, async (ctx) => {
    const clientId = String(ctx.params.clientId);
    if (await changing(ctx, appPage(clientId))) return;
    const { id, reason } = readForm(idForm, ctx.request.body);
    try {
      await appRoles.revoke(actorOf(ctx), idOf(id), reason, change(ctx));
    } catch (err) {
      const revokeError = formRefusal(ctx, err);
      return show(ctx, clientId, { revokeError });
    }
    ctx.status = 303;
    ctx.redirect(`${appPage(clientId)}?done=revoked`);
  });

  return router;
};
