import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import { verifyCsrf } from '../http/csrf.ts';
import { cappedText, checkbox, endOfDay, readForm } from '../http/form-fields.ts';
import { AppError } from '../http/errors.ts';
import { refusalMessage } from '../http/refusal.ts';
import type { Agencies } from '../roles/agencies.ts';
import type { GrantsService } from '../roles/grants.service.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';

const ROLES_PAGE = '/admin/peran';
const AGENCIES_PAGE = '/admin/instansi';
/** Paths under the zone router's prefix (`/admin`). */
const local = (path: string) => path.slice('/admin'.length);
const grantForm = z.object({ login: cappedText(256).transform((v) => v.trim()), role: cappedText(32), agency: cappedText(64), until: cappedText(10), reason: cappedText(2000) });
const revokeForm = z.object({ id: cappedText(12), reason: cappedText(2000) });
// One more than a code may have, so a longer one is refused rather than cut.
const agencyForm = z.object({ code: cappedText(65), name: cappedText(255), parent: cappedText(64), active: checkbox('error.bad_request').catch(false) });

/**
 * Global roles and the agency list in the admin console (administrators only): grant a role with a reason and an
 * optional end, remove one with a reason, see what the configuration and directory groups grant; add and edit
 * agencies. Changes need level 3 proven within the last 15 minutes; the grants service decides the rest.
 */
export const createRolesRoutes = (deps: ZoneRouterDeps & { grants: GrantsService; agencies: Agencies }) => {
  const { render, grants, agencies, zone } = deps;
  const router = zoneRouter(deps, { roles: ['administrator'], refusal: 'roles.forbidden' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });
  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;

  const showRoles = async (ctx: Context, extra: Record<string, unknown> = {}) => {
    const overview = await grants.overview(userOf(ctx));
    const done = ctx.query.done === 'granted' || ctx.query.done === 'revoked' || ctx.query.done === 'kept' ? ctx.query.done : undefined;
    render(ctx, 'admin/roles', { ...overview, done, name: typeof ctx.query.name === 'string' ? ctx.query.name.slice(0, 120) : '', values: {}, ...extra });
  };

  router.get(local(ROLES_PAGE), async (ctx) => showRoles(ctx, { values: { login: typeof ctx.query.login === 'string' ? ctx.query.login.slice(0, 256) : '' } }));

  /** A changing form: CSRF checked, and level 3 proven recently (else the person proves it and comes back here). */
  const changing = async (ctx: Context, back: string) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    return zone.requireFresh(ctx, back);
  };
  const change = (ctx: Context) => ({ ip: ctx.ip, clientId: 'satu-akun-admin' });

  router.post(`${local(ROLES_PAGE)}/beri`, form, async (ctx) => {
    if (await changing(ctx, ROLES_PAGE)) return;
    const values = readForm(grantForm, ctx.request.body);
    try {
      const until = endOfDay(values.until, zone.timeZone);
      if (until === null) throw new AppError('roles.until_invalid', 400);
      const grant = await grants.grant(userOf(ctx), { login: values.login, role: values.role, agency: values.agency, reason: values.reason, ...(until ? { until } : {}) }, change(ctx));
      ctx.status = 303;
      ctx.redirect(`${ROLES_PAGE}?done=granted&name=${encodeURIComponent(grant.login)}`);
    } catch (err) {
      ctx.status = 400;
      await showRoles(ctx, { error: refusalMessage(ctx, err), values });
    }
  });

  router.post(`${local(ROLES_PAGE)}/cabut`, form, async (ctx) => {
    if (await changing(ctx, ROLES_PAGE)) return;
    const { id, reason } = readForm(revokeForm, ctx.request.body);
    try {
      await grants.revoke(userOf(ctx), /^\d{1,9}$/.test(id) ? Number(id) : NaN, reason, change(ctx));
    } catch (err) {
      ctx.status = 400;
      return showRoles(ctx, { revokeError: refusalMessage(ctx, err), revokeId: id });
    }
    ctx.status = 303;
    ctx.redirect(`${ROLES_PAGE}?done=revoked`);
  });

  router.post(`${local(ROLES_PAGE)}/tetap`, form, async (ctx) => {
    if (await changing(ctx, ROLES_PAGE)) return;
    const { id } = readForm(revokeForm, ctx.request.body);
    await grants.keep(userOf(ctx), /^\d{1,9}$/.test(id) ? Number(id) : NaN, change(ctx));
    ctx.status = 303;
    ctx.redirect(`${ROLES_PAGE}?done=kept`);
  });

  const showAgencies = async (ctx: Context, extra: Record<string, unknown> = {}) =>
    render(ctx, 'admin/agencies', { agencies: await agencies.list(), done: typeof ctx.query.done === 'string' ? ctx.query.done.slice(0, 64) : undefined, values: { active: true }, ...extra });

  router.get(local(AGENCIES_PAGE), async (ctx) => showAgencies(ctx));

  router.post(local(AGENCIES_PAGE), form, async (ctx) => {
    if (await changing(ctx, AGENCIES_PAGE)) return;
    const values = readForm(agencyForm, ctx.request.body);
    try {
      await agencies.save({ code: values.code, name: values.name, parentCode: values.parent || null, active: values.active }, { actor: userOf(ctx).account.sub, ...change(ctx) });
    } catch (err) {
      ctx.status = 400;
      return showAgencies(ctx, { error: refusalMessage(ctx, err), values });
    }
    ctx.status = 303;
    ctx.redirect(`${AGENCIES_PAGE}?done=${encodeURIComponent(values.code.trim().toUpperCase())}`);
  });

  return router;
};
