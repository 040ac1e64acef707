import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import type { Notifier } from './notify.service.ts';

/** The outbox in the admin console: what Satu Akun told people, and whether it was sent. Administrators only. */
export const createOutboxRoutes = (deps: ZoneRouterDeps & { notifier: Notifier }) => {
  const router = zoneRouter(deps, { prefix: '/admin/kotak-keluar', roles: ['administrator'] });
  router.get('/', async (ctx) => {
    deps.render(ctx, 'outbox', { messages: await deps.notifier.latest(200), smtp: deps.notifier.smtp });
  });
  return router;
};
