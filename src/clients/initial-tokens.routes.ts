import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Directory } from '../directory/directory.ts';
import { verifyCsrf } from '../http/csrf.ts';
import type { MessageKey } from '../i18n/index.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import { actorOf } from './actor.ts';
import type { DcrService } from './dcr.service.ts';
import { AGENCY_CODE, initialTokenForm } from './initial-token.schema.ts';

/** Administrators issue and revoke RFC 7591 initial access tokens for developers (admin console). */
export const createInitialTokenRoutes = (deps: ZoneRouterDeps & { dcr: DcrService; directory: Directory; accounts: AccountsService; issuer: string }) => {
  const router = zoneRouter(deps, { prefix: '/admin/token-pendaftaran', roles: ['administrator'] });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '8kb' });

  const page = async (ctx: Context, data: Record<string, unknown> = {}) => deps.render(ctx, 'initial-tokens', { tokens: await deps.dcr.tokens(), registrationEndpoint: new URL('/register', deps.issuer).href, ...data });

  router.get('/', async (ctx) => {
    await page(ctx, { values: { days: 14, uses: 1 } });
  });

  router.post('/', form, async (ctx) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    verifyCsrf(ctx, body._csrf);
    const values = { login: String(body.login ?? '').trim(), agency: String(body.agency ?? '').trim().toUpperCase(), days: body.days, uses: body.uses };
    const parsed = initialTokenForm.safeParse(body);
    if (!parsed.success) return page(ctx, { values, error: parsed.error.issues[0]!.message as MessageKey });
    const { login, days, uses } = parsed.data;
    // The developer must exist and have signed in once: the registrations become theirs.
    const person = await deps.directory.findUser(login);
    const account = person ? await deps.accounts.findByDirectoryId(person.id) : undefined;
    if (!person || !account) return page(ctx, { values, error: 'tokens.error.person' });
    const agency = parsed.data.agency ?? (person.agencyCode ?? '').toUpperCase();
    if (!AGENCY_CODE.test(agency)) return page(ctx, { values, error: 'tokens.error.agency' });
    const token = await deps.dcr.issueToken(actorOf(ctx), { issuedTo: account.sub, agency, days, uses });
    await page(ctx, { values: { days: 14, uses: 1 }, issued: { token, login: account.username, agency, days, uses } });
  });

  router.post('/:id/cabut', form, async (ctx) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    await deps.dcr.revokeToken(actorOf(ctx), String(ctx.params.id).slice(0, 32));
    ctx.status = 303;
    ctx.redirect('/admin/token-pendaftaran');
  });
  return router;
};
