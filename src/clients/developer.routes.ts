import Router from '@koa/router';
import type { Render } from '../http/render.ts';
import type { RolesService } from '../roles/roles.service.ts';
import type { ZoneAuth } from '../portal/zone.ts';
import type { AppsService } from './apps.service.ts';

/** The developer portal: register and manage an agency's apps. */
export const createDeveloperRoutes = (deps: { zone: ZoneAuth; render: Render; apps: AppsService; roles: RolesService; domains: string[] }) => {
  const router = new Router({ prefix: '/developer' });
  router.use(deps.zone.requireUser);
  return router;
};
