import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import { verifyCsrf } from '../http/csrf.ts';
import { AppError } from '../http/errors.ts';
import { wholeNumber } from '../http/form-fields.ts';
import type { SessionsService } from '../sessions/sessions.service.ts';
import { ZONES } from '../zones/zones.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import type { ActivityService } from './activity.service.ts';

export const ACTIVITY_BASE = `${ZONES.account.base}/aktivitas`;
const NOT_ME_PAGE = `${ACTIVITY_BASE}/bukan-saya`;
// A cursor that is no whole number is a bad request (a readable 400 page), not the first page in disguise.
const cursorQuery = z.object({ sebelum: wholeNumber(1, 999_999_999, 'error.bad_request').optional() });

/**
 * "Aktivitas" (issue 12 §1): the person's own sign-ins and security changes, and "Ini bukan saya": a page that says what
 * will happen, then ends every session of the person everywhere (this browser too) and shows whom to call.
 */
export const createActivityRoutes = (deps: ZoneRouterDeps & { activity: ActivityService; sessions: SessionsService }) => {
  const router = zoneRouter(deps, { back: ACTIVITY_BASE });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '4kb' });
  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;

  router.get('/aktivitas', async (ctx) => {
    const parsed = cursorQuery.safeParse(ctx.query);
    if (!parsed.success) throw new AppError('error.bad_request', 400);
    const { sebelum } = parsed.data;
    const { items, next } = await deps.activity.page(userOf(ctx).account, sebelum);
    deps.render(ctx, 'portal/activity', { items, next, first: sebelum === undefined, base: ACTIVITY_BASE, notMe: NOT_ME_PAGE });
  });

  router.get('/aktivitas/bukan-saya', async (ctx) => {
    deps.render(ctx, 'portal/not-me', { action: NOT_ME_PAGE, cancel: ACTIVITY_BASE, count: await deps.sessions.count(userOf(ctx).account.sub) });
  });

  router.post('/aktivitas/bukan-saya', form, async (ctx) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    const { account } = userOf(ctx);
    // Everything, this browser included, and grants that outlived their sessions (offline refresh tokens).
    const ended = await deps.sessions.endAll(account.sub, { actor: account.sub, by: 'user', ip: ctx.ip, clientId: ZONES.account.clientId }, { everything: true });
    // This browser is signed out now: the page is shown as to someone signed out (no name, no sign-out button).
    deps.render(ctx, 'portal/not-me-done', { ended, user: undefined, zone: undefined, csrf: undefined });
  });

  return router;
};
