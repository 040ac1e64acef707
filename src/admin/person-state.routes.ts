import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { z } from 'zod';
import { cappedText, endOfDay, readForm, wholeNumber } from '../http/form-fields.ts';
import { AppError } from '../http/errors.ts';
import { refusalMessage } from '../http/refusal.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import { loginOf, personPost, personUrl, userOf } from './person-forms.ts';
import { SUSPENSION_MAX_DAYS, type PeopleService, type PersonView } from './people.service.ts';

const SESSIONS_PAGE = 20;
const stateForm = z.object({ to: cappedText(16), until: cappedText(10) });
const sessionForm = z.object({ uid: cappedText(64) });
const pageQuery = z.object({ page: wholeNumber(1, 100_000, 'error.bad_request', 1).catch(1) });

/**
 * A person's account state and sessions in the admin console: suspend (until a date, or until reinstated), disable
 * and reinstate with a reason, after a page that says what will happen; list their sessions and end one or all.
 * Every change needs level 3 proven recently; the people service decides who may do it to whom.
 */
export const createPersonStateRoutes = (deps: ZoneRouterDeps & { people: PeopleService }) => {
  const { render, people } = deps;
  const router = zoneRouter(deps);
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });
  const statePage = (who: string) => personUrl(who, '/status');
  const sessionsPage = (who: string) => personUrl(who, '/sesi');

  const showState = (ctx: Context, view: PersonView, who: string, extra: { error?: string; reason?: string; to?: string; until?: string } = {}) => {
    if (extra.error) ctx.status = 400;
    render(ctx, 'admin/state', { view, login: who, cancel: personUrl(who), reason: extra.reason ?? '', to: extra.to ?? '', until: extra.until ?? '', error: extra.error });
  };

  router.get('/orang/status', async (ctx) => {
    const who = loginOf(ctx.query.login);
    const view = await people.find(userOf(ctx), who, 'state');
    if (await deps.zone.requireFresh(ctx, statePage(who))) return;
    showState(ctx, view, who);
  });

  router.post('/orang/status', form, async (ctx) => {
    const post = await personPost(ctx, deps, statePage);
    if (!post) return;
    const { to, until: typed } = readForm(stateForm, post.body);
    const until = endOfDay(typed, deps.zone.timeZone);
    try {
      if (to !== 'suspended' && to !== 'disabled' && to !== 'active') throw new AppError('admin.state.choose', 400);
      if (until === null) throw new AppError('admin.state.until_invalid', 400, { max: SUSPENSION_MAX_DAYS });
      await people.changeState(post.admin, post.who, to === 'suspended' ? { to, reason: post.reason, ...(until ? { until } : {}) } : { to, reason: post.reason }, post.change);
    } catch (err) {
      const error = refusalMessage(ctx, err);
      return showState(ctx, await people.find(post.admin, post.who, 'state'), post.who, { error, reason: post.reason, to, until: typed });
    }
    ctx.status = 303;
    ctx.redirect(personUrl(post.who, '', `&done=${to}`));
  });

  router.get('/orang/sesi', async (ctx) => {
    const who = loginOf(ctx.query.login);
    const { page } = readForm(pageQuery, ctx.query);
    const { view, total, sessions } = await people.sessions(userOf(ctx), who, { offset: (page - 1) * SESSIONS_PAGE, limit: SESSIONS_PAGE });
    render(ctx, 'admin/sessions', { view, login: who, total, sessions, page, pages: Math.max(1, Math.ceil(total / SESSIONS_PAGE)), back: personUrl(who), self: sessionsPage(who), done: ctx.query.done === 'ended' });
  });

  // One session (a `uid`) or every session of the person (none), with a reason; the apps are told at once.
  router.post('/orang/sesi/akhiri', form, async (ctx) => {
    const post = await personPost(ctx, deps, sessionsPage);
    if (!post) return;
    const { uid } = readForm(sessionForm, post.body);
    try {
      await people.endSessions(post.admin, post.who, uid || undefined, post.reason, post.change);
    } catch (err) {
      const { view, total, sessions } = await people.sessions(post.admin, post.who, { offset: 0, limit: SESSIONS_PAGE });
      ctx.status = 400;
      return render(ctx, 'admin/sessions', { view, login: post.who, total, sessions, page: 1, pages: Math.max(1, Math.ceil(total / SESSIONS_PAGE)), back: personUrl(post.who), self: sessionsPage(post.who), error: refusalMessage(ctx, err), reason: post.reason });
    }
    ctx.status = 303;
    ctx.redirect(`${sessionsPage(post.who)}&done=ended`);
  });

  return router;
};
