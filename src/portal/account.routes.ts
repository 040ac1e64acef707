import type { AccountsService } from '../accounts/accounts.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';

/** My account: who I am to Satu Akun, and the apps I signed in to, the most recent first. */
export const createAccountRoutes = (deps: ZoneRouterDeps & { accounts: AccountsService; clients: ClientRegistry }) => {
  const router = zoneRouter(deps);
  router.get('/', async (ctx) => {
    const user = ctx.state.user as ZoneUser;
    const signIns = await deps.accounts.appSignIns(user.account.sub);
    // Satu Akun's own pages are not apps the person chose: they are left out.
    const apps = (await Promise.all(signIns.map(async (s) => ({ ...s, app: await deps.clients.find(s.clientId) })))).filter((s) => s.app && !s.app.firstParty);
    deps.render(ctx, 'portal/account', { user, apps: apps.map((s) => ({ name: s.app!.name, firstAt: s.firstAt, lastAt: s.lastAt })) });
  });
  return router;
};
