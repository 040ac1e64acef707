import Router from '@koa/router';
import type { Render } from '../http/render.ts';
import type { ZoneAuth, ZoneUser } from './zone.ts';

/** My account: who I am to Satu Akun. */
export const createAccountRoutes = (deps: { zone: ZoneAuth; render: Render }) => {
  const router = new Router({ prefix: '/akun' });
  router.use(deps.zone.requireUser);
  router.get('/', async (ctx) => {
    const user = ctx.state.user as ZoneUser;
    deps.render(ctx, 'portal/account', { user });
  });
  return router;
};
