import Router from '@koa/router';
import type { Render } from '../http/render.ts';
import type { RolesService } from '../roles/roles.service.ts';
import type { ZoneAuth } from '../portal/zone.ts';
import type { AppsService } from './apps.service.ts';

/** Diskominfo's side of the app lifecycle in the admin console: the review queue and live-app control. */
export const createReviewRoutes = (deps: { zone: ZoneAuth; render: Render; apps: AppsService; roles: RolesService }) => {
  const router = new Router({ prefix: '/admin/aplikasi' });
  router.use(deps.zone.requireUser);
  return router;
};
