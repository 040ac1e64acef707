import Router from '@koa/router';
import type { ClientRegistry } from '../clients/app.ts';
import type { Render } from '../http/render.ts';
import { SIGNED_OUT_PATH } from '../zones/zones.ts';

/** The front page: what Satu Akun is, and in the quick start the demo apps to try. */
export const createHomeRoutes = (deps: { clients: ClientRegistry; render: Render }) => {
  const router = new Router();
  router.get('/', async (ctx) => {
    const demos = (await deps.clients.list()).filter((app) => app.demo);
    deps.render(ctx, 'home', { demos: demos.map((app) => ({ name: app.name, url: new URL(app.metadata.redirect_uris![0]!).origin })) });
  });
  // After signing out of Satu Akun's own pages: the same "you are signed out" page as after an app's sign-out.
  router.get(SIGNED_OUT_PATH, (ctx) => deps.render(ctx, 'logged-out'));
  return router;
};
