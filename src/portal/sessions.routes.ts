import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import { verifyCsrf } from '../http/csrf.ts';
import { cappedText, readForm, wholeNumber } from '../http/form-fields.ts';
import type { SessionsService } from '../sessions/sessions.service.ts';
import { ZONES } from '../zones/zones.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';

const PAGE = 20;
const BASE = `${ZONES.account.base}/sesi`;
const endForm = z.object({ uid: cappedText(64) });
const pageQuery = z.object({ page: wholeNumber(1, 100_000, 'error.bad_request', 1).catch(1) });

/**
 * My sessions (OWASP ASVS 4.0.3 §3.3.4): every browser signed in as me, with where and when it was last used and the
 * apps opened through it; I can end one, or every one but this browser. Ending one signs it out of every app too.
 */
export const createSessionsRoutes = (deps: ZoneRouterDeps & { sessions: SessionsService }) => {
  const router = zoneRouter(deps);
  const form = bodyParser({ enableTypes: ['form'], formLimit: '4kb' });
  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;
  const by = (ctx: Context) => ({ actor: userOf(ctx).account.sub, by: 'user' as const, ip: ctx.ip, clientId: ZONES.account.clientId });

  router.get('/sesi', async (ctx) => {
    const user = userOf(ctx);
    const { page } = readForm(pageQuery, ctx.query);
    const { total, sessions } = await deps.sessions.list(user.account.sub, { offset: (page - 1) * PAGE, limit: PAGE });
    const done = ctx.query.done === 'one' || ctx.query.done === 'others' ? ctx.query.done : undefined;
    deps.render(ctx, 'portal/sessions', { sessions, total, page, pages: Math.max(1, Math.ceil(total / PAGE)), current: user.sessionUid, done });
  });

  router.post('/sesi/akhiri', form, async (ctx) => {
    const body = ctx.request.body as Record<string, unknown> | undefined;
    verifyCsrf(ctx, body?._csrf);
    const { uid } = readForm(endForm, body);
    const user = userOf(ctx);
    // This browser's own session is ended by signing out, which also tells the apps and says goodbye properly.
    const ended = !!uid && uid !== user.sessionUid && (await deps.sessions.end(user.account.sub, uid, by(ctx)));
    ctx.status = 303;
    ctx.redirect(ended ? `${BASE}?done=one` : BASE);
  });

  router.post('/sesi/akhiri-lainnya', form, async (ctx) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    const user = userOf(ctx);
    await deps.sessions.endAll(user.account.sub, by(ctx), { exceptUid: user.sessionUid });
    ctx.status = 303;
    ctx.redirect(`${BASE}?done=others`);
  });

  return router;
};
