import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { verifyCsrf } from '../../http/csrf.ts';
import { requestLang } from '../../http/render.ts';
import { translator } from '../../i18n/index.ts';
import { systemClock, type Clock } from '../../shared/clock.ts';
import type { ZoneUser } from '../../zones/zone.ts';
import type { ZoneRouterDeps } from '../../zones/zone-router.ts';
import { actorOf } from '../actor.ts';
import type { AppsService } from '../apps.service.ts';
import type { AccountProfiles } from '../../accounts/person-names.ts';

/** What the review pages are built from (`createReviewRoutes`'s argument); `accounts` names the people in an app's history. */
export type ReviewDeps = ZoneRouterDeps & { apps: AppsService; accounts: AccountProfiles; clock?: Clock };

/** What every review page shares: the services, the form parser and the per-request helpers. */
export const createReviewShared = (deps: ReviewDeps) => {
  const { render, apps, zone } = deps;
  return {
    render,
    apps,
    accounts: deps.accounts,
    clock: deps.clock ?? systemClock,
    form: bodyParser({ enableTypes: ['form'], formLimit: '64kb' }),
    t: (ctx: Context) => translator(requestLang(ctx)),
    userOf: (ctx: Context) => ctx.state.user as ZoneUser,
    actorIn: (ctx: Context) => actorOf(ctx),
    steppedUp: (ctx: Context, page: string) => zone.requireFresh(ctx, page),
    /** The form post, once its CSRF token is checked. */
    posted: (ctx: Context): Record<string, unknown> => {
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      verifyCsrf(ctx, body._csrf);
      return body;
    },
  };
};

export type ReviewShared = ReturnType<typeof createReviewShared>;
