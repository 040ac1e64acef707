import type { AccountsService } from '../accounts/accounts.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import { SCOPES } from '../clients/registration.schema.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';

/**
 * My account: who I am to Satu Akun, and the apps I signed in to, the most recent first, each with the data it
 * receives as recorded at the notice (for the regency's own apps, recorded without one: issue 11 §6).
 */
export const createAccountRoutes = (deps: ZoneRouterDeps & { accounts: AccountsService; clients: ClientRegistry; consent: Pick<ConsentService, 'released'> }) => {
  const router = zoneRouter(deps);
  // In the order the notice lists them (openid, profile, email, …), whatever order they were agreed in.
  const ordered = (scopes: string[]) => [...scopes].sort((a, b) => (SCOPES as readonly string[]).indexOf(a) - (SCOPES as readonly string[]).indexOf(b));
  router.get('/', async (ctx) => {
    const user = ctx.state.user as ZoneUser;
    const [signIns, released] = await Promise.all([deps.accounts.appSignIns(user.account.sub), deps.consent.released(user.account.sub)]);
    // Satu Akun's own pages are not apps the person chose: they are left out.
    const apps = (await Promise.all(signIns.map(async (s) => ({ ...s, app: await deps.clients.find(s.clientId) })))).filter((s) => s.app && !s.app.satuAkunZone);
    deps.render(ctx, 'portal/account', {
      user,
      apps: apps.map((s) => ({ clientId: s.clientId, name: s.app!.name, firstParty: s.app!.firstParty, scopes: ordered(released.get(s.clientId) ?? []), firstAt: s.firstAt, lastAt: s.lastAt })),
    });
  });
  return router;
};
