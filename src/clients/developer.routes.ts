import { zoneRouter } from '../zones/zone-router.ts';
import { registrationSchema } from './registration.schema.ts';
import { addFormRoutes } from './developer/form.routes.ts';
import { addListRoutes } from './developer/list.routes.ts';
import { addSecretRoutes } from './developer/secrets.routes.ts';
import { BASE, createDeveloperShared, type DeveloperDeps } from './developer/shared.ts';

/**
 * The developer portal (level 2, holders of the developer role): the agency's apps, registering one through a form
 * validated by the registration schema, its detail and history, submitting it for review, creating and rotating its
 * client secret, proposing a change and retiring it. The lifecycle's rules are the apps service's; the pages under
 * `developer/` parse forms and render. Only the person's own agency's apps exist here: any other id is a 404.
 */
export const createDeveloperRoutes = (deps: DeveloperDeps) => {
  const router = zoneRouter(deps, { back: BASE });
  const shared = createDeveloperShared(deps);
  // No two pages share a path and method, so the order of the pages does not matter.
  addListRoutes(router, shared);
  addFormRoutes(router, shared, registrationSchema(deps.domains));
  addSecretRoutes(router, shared);
  return router;
};
