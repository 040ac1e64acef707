import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';

/** My account: who I am to Satu Akun. */
export const createAccountRoutes = (deps: ZoneRouterDeps) => {
  const router = zoneRouter(deps);
  router.get('/', async (ctx) => {
    const user = ctx.state.user as ZoneUser;
    deps.render(ctx, 'portal/account', { user });
  });
  return router;
};
