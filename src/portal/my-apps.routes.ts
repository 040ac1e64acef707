import type { AccountsService } from '../accounts/accounts.service.ts';
import { requestLang } from '../http/render.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import type { MyAppsService } from './my-apps.service.ts';

/** "Aplikasi saya" (issue 12 §1): a launcher of the apps this person may open, the home page of the staff portal. */
export const createMyAppsRoutes = (deps: ZoneRouterDeps & { myApps: MyAppsService; accounts: Pick<AccountsService, 'appSignIns'> }) => {
  const router = zoneRouter(deps);
  router.get('/aplikasi', async (ctx) => {
    const { account } = ctx.state.user as ZoneUser;
    const [apps, signIns] = await Promise.all([deps.myApps.openable(account, requestLang(ctx)), deps.accounts.appSignIns(account.sub)]);
    const lastAt = new Map(signIns.map((s) => [s.clientId, s.lastAt]));
    deps.render(ctx, 'portal/apps', { apps: apps.map((a) => ({ ...a, lastAt: lastAt.get(a.clientId) })) });
  });
  return router;
};
