import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Directory } from '../directory/directory.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { AppError } from '../http/errors.ts';
import { requestLang, type Render } from '../http/render.ts';
import { dateTimeFormatter } from '../i18n/dates.ts';
import type { RolesService } from '../roles/roles.service.ts';
import type { ZoneAuth } from '../portal/zone.ts';
import { actorOf } from './actor.ts';
import type { DcrService } from './dcr.service.ts';

const int = (value: unknown, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) ? n : fallback;
};

/** Administrators issue and revoke RFC 7591 initial access tokens for developers (admin console). */
export const createInitialTokenRoutes = (deps: { zone: ZoneAuth; render: Render; dcr: DcrService; roles: RolesService; directory: Directory; accounts: AccountsService; issuer: string }) => {
  const router = new Router({ prefix: '/admin/token-pendaftaran' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '8kb' });
  router.use(deps.zone.requireUser);

  const administrator = (ctx: Context) => {
    const actor = actorOf(ctx, deps.roles);
    if (!actor.roles.some((g) => g.role === 'administrator')) throw new AppError('review.error.forbidden', 403);
    return actor;
  };
  const page = async (ctx: Context, data: Record<string, unknown> = {}) => deps.render(ctx, 'initial-tokens', { tokens: await deps.dcr.tokens(), date: dateTimeFormatter(requestLang(ctx)), registrationEndpoint: new URL('/register', deps.issuer).href, ...data });

  router.get('/', async (ctx) => {
    administrator(ctx);
    await page(ctx, { values: { days: 14, uses: 1 } });
  });

  router.post('/', form, async (ctx) => {
    const actor = administrator(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    verifyCsrf(ctx, body._csrf);
    const login = String(body.login ?? '').trim();
    const values = { login, agency: String(body.agency ?? '').trim().toUpperCase(), days: int(body.days, 14), uses: int(body.uses, 1) };
    // The developer must exist and have signed in once: the registrations become theirs.
    const person = login && login.length <= 256 ? await deps.directory.findUser(login) : null;
    const account = person ? await deps.accounts.findByDirectoryId(person.id) : undefined;
    if (!person || !account) return page(ctx, { values, error: 'tokens.error.person' });
    const agency = values.agency || (person.agencyCode ?? '').toUpperCase();
    if (!/^[A-Z0-9_-]{2,40}$/.test(agency)) return page(ctx, { values, error: 'tokens.error.agency' });
    if (values.days < 1 || values.days > 90 || values.uses < 1 || values.uses > 100) return page(ctx, { values, error: 'tokens.error.limits' });
    const token = await deps.dcr.issueToken(actor, { issuedTo: account.sub, agency, days: values.days, uses: values.uses });
    await page(ctx, { values: { days: 14, uses: 1 }, issued: { token, login: account.username, agency, days: values.days, uses: values.uses } });
  });

  router.post('/:id/cabut', form, async (ctx) => {
    const actor = administrator(ctx);
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    await deps.dcr.revokeToken(actor, String(ctx.params.id).slice(0, 32));
    ctx.status = 303;
    ctx.redirect('/admin/token-pendaftaran');
  });
  return router;
};
