import Router from '@koa/router';
import { AppError } from '../http/errors.ts';
import { requestLang, type Render } from '../http/render.ts';
import { dateTimeFormatter } from '../i18n/dates.ts';
import type { RolesService } from '../roles/roles.service.ts';
import type { ZoneAuth, ZoneUser } from '../portal/zone.ts';
import type { Notifier } from './notify.service.ts';

/** The outbox in the admin console: what Satu Akun told people, and whether it was sent. Administrators only. */
export const createOutboxRoutes = (deps: { zone: ZoneAuth; render: Render; notifier: Notifier; roles: RolesService }) => {
  const router = new Router({ prefix: '/admin/kotak-keluar' });
  router.use(deps.zone.requireUser);
  router.get('/', async (ctx) => {
    const { account } = ctx.state.user as ZoneUser;
    if (!deps.roles.hasRole(account.username, 'administrator')) throw new AppError('review.error.forbidden', 403);
    deps.render(ctx, 'outbox', { messages: await deps.notifier.latest(200), smtp: deps.notifier.smtp, date: dateTimeFormatter(requestLang(ctx)) });
  });
  return router;
};
