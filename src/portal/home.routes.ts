import Router from '@koa/router';
import type { ClientRegistry } from '../clients/app.ts';
import type { Render } from '../http/render.ts';

/** The front page: what Satu Akun is, and in the quick start the demo apps to try. */
export const createHomeRoutes = (deps: { clients: ClientRegistry; render: Render }) => {
  const router = new Router();
  router.get('/', async (ctx) => {
    const demos = (await deps.clients.list()).filter((app) => app.demo);
    deps.render(ctx, 'home', { demos: demos.map((app) => ({ name: app.name, url: new URL(app.metadata.redirect_uris![0]!).origin })) });
  });
  return router;
};
