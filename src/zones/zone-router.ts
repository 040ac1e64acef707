import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { requestLang, type Render } from '../http/render.ts';
import { translator, type MessageKey } from '../i18n/index.ts';
import type { GlobalRole, RolesService } from '../roles/roles.service.ts';
import { zoneProblems } from './problems.ts';
import { readsReportsOnly, ZONES } from './zones.ts';
import type { ZoneAuth, ZoneUser } from './zone.ts';

export interface ZoneRouterDeps {
  zone: ZoneAuth;
  render: Render;
  roles: RolesService;
}

/** Whether the signed-in person holds one of `roles` (global roles, from configuration, grants and groups). */
export const holds = (ctx: Context, wanted: readonly GlobalRole[]): boolean => (ctx.state.user as ZoneUser).roles.some((g) => wanted.includes(g.role));

/**
 * A router for pages of a zone, the same shape everywhere: the person must be signed in to the zone (or is sent to
 * sign in), must hold one of `roles` when given (else a 403 page saying `refusal`, in the zone's layout), and a
 * refusal, an unknown id or an impossible change thrown by a route is shown as a page with a way back.
 */
export const zoneRouter = (deps: ZoneRouterDeps, options: { prefix?: string; back?: string; roles?: readonly GlobalRole[]; refusal?: MessageKey } = {}): Router => {
  const router = new Router({ prefix: options.prefix ?? deps.zone.base });
  router.use(deps.zone.requireUser);
  const { admits } = deps.zone;
  if (admits) {
    // The zone's own rule, on every request: someone whose last role in it was removed is refused at their next page.
    router.use(async (ctx: Context, next: Next) => {
      if (holds(ctx, admits)) return next();
      ctx.status = 403;
      deps.render(ctx, 'portal/problem', { status: 403, message: translator(requestLang(ctx))('portal.zone_forbidden'), back: '/akun' });
    });
  }
  if (deps.zone.base === ZONES.admin.base && !options.roles?.includes('leadership')) {
    // Leadership read the usage reports only: the console's home (which lists them) and nothing else.
    router.use(async (ctx: Context, next: Next) => {
      if (!readsReportsOnly((ctx.state.user as ZoneUser).roles) || ctx.path === ZONES.admin.base || ctx.path === `${ZONES.admin.base}/`) return next();
      ctx.status = 403;
      deps.render(ctx, 'portal/problem', { status: 403, message: translator(requestLang(ctx))('reports.leadership_only'), back: ZONES.admin.base });
    });
  }
  const { roles } = options;
  if (roles) {
    // Refused at the edge, with the way back to the zone's home (these pages' own list is closed to them too).
    router.use(async (ctx: Context, next: Next) => {
      if (holds(ctx, roles)) return next();
      ctx.status = 403;
      deps.render(ctx, 'portal/problem', { status: 403, message: translator(requestLang(ctx))(options.refusal ?? 'review.error.forbidden'), back: deps.zone.base });
    });
  }
  router.use(zoneProblems(deps.render, options.back ?? deps.zone.base));
  return router;
};
