import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { AppError } from '../http/errors.ts';
import { refusalMessage } from '../http/refusal.ts';
import { requestLang } from '../http/render.ts';
import { translator, type MessageKey } from '../i18n/index.ts';
import { ZONES } from '../zones/zones.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { loginOf as login, personPost as postAbout, personUrl, userOf } from './person-forms.ts';
import { holds, zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import type { PeopleService, PersonView } from './people.service.ts';
import { APP_READERS } from '../clients/app-policy.ts';
import type { GlobalRole } from '../roles/roles.service.ts';
import { REPORT_READERS, REPORTS_BASE } from '../reports/reports.routes.ts';

const BASE = ZONES.admin.base;
const personPage = (who: string) => personUrl(who);
const resetPage = (who: string) => personUrl(who, '/reset');
const DONE = new Set(['reset', 'unlocked', 'suspended', 'disabled', 'active', 'ended']);

/**
 * The admin console (level 3, entered by holders of the admin roles): its home, looking a person up, and resetting
 * their second factors after a confirmation with a reason. Who may do what is decided by the people service.
 */
export const createAdminRoutes = (deps: ZoneRouterDeps & { people: PeopleService }) => {
  const { render, people, zone } = deps;
  const router = zoneRouter(deps);
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

  const t = (ctx: Context) => translator(requestLang(ctx));

  /** The console's pages this person's roles open, as links on its home page (one line per tool). */
  const toolsFor = (admin: ZoneUser): { href: string; label: MessageKey }[] => {
    const held = new Set(admin.roles.map((g) => g.role));
    const any = (roles: readonly GlobalRole[]) => roles.some((r) => held.has(r));
    return [
      ...(any(APP_READERS) ? [{ href: `${BASE}/aplikasi`, label: 'admin.link.apps' as const }] : []),
      ...(people.may(admin, 'view') ? [{ href: `${BASE}/orang`, label: 'admin.link.people' as const }] : []),
      ...(any(REPORT_READERS) ? [{ href: REPORTS_BASE, label: 'reports.link' as const }] : []),
      ...(any(['auditor', 'administrator', 'agencyAdministrator']) ? [{ href: `${BASE}/audit`, label: 'auditview.link' as const }] : []),
      ...(any(['administrator'])
        ? [
            { href: `${BASE}/peran`, label: 'roles.link' as const },
            { href: `${BASE}/instansi`, label: 'agencies.link' as const },
            { href: `${BASE}/token-pendaftaran`, label: 'admin.link.tokens' as const },
            { href: `${BASE}/kotak-keluar`, label: 'admin.link.outbox' as const },
          ]
        : []),
    ];
  };

  router.get('/', async (ctx) => {
    const admin = userOf(ctx);
    render(ctx, 'admin/home', { grants: admin.roles, tools: toolsFor(admin) });
  });

  router.get('/orang', async (ctx) => {
    const admin = userOf(ctx);
    people.requireScope(admin);
    const who = login(ctx.query.login);
    if (!who) return render(ctx, 'admin/person', { login: '' });
    let view: PersonView;
    try {
      view = await people.find(admin, who);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 404) throw err;
      ctx.status = 404;
      return render(ctx, 'admin/person', { login: who, notFound: t(ctx)(err.code, err.params) });
    }
    const done = typeof ctx.query.done === 'string' && DONE.has(ctx.query.done) ? ctx.query.done : undefined;
    await showPerson(ctx, who, view, { done });
  });

  const showPerson = async (ctx: Context, who: string, view: PersonView, extra: { done?: string; unlockError?: string } = {}) =>
    render(ctx, 'admin/person', { login: who, view, ...(await people.details(view)), canGrant: holds(ctx, ['administrator']), resetUrl: resetPage(who), stateUrl: personUrl(who, '/status'), sessionsUrl: personUrl(who, '/sesi'), issuesCodes: people.issuesEnrolmentCodes, ...extra });

  const personPost = (ctx: Context, back: (who: string) => string) => postAbout(ctx, deps, back);

  // Lets a person try again from any browser after their guessing budget was spent (level 3 recent, with a reason).
  router.post('/orang/buka-blokir', form, async (ctx) => {
    const post = await personPost(ctx, personPage);
    if (!post) return;
    try {
      await people.unlock(post.admin, post.who, post.reason, post.change);
    } catch (err) {
      const unlockError = refusalMessage(ctx, err);
      ctx.status = 400;
      return await showPerson(ctx, post.who, await people.find(post.admin, post.who), { unlockError });
    }
    ctx.status = 303;
    ctx.redirect(`${personPage(post.who)}&done=unlocked`);
  });

  // A set-up code for someone's first second factor (issue 8 §4), shown once: level 3 proven recently, as a reset.
  router.post('/orang/kode', form, async (ctx) => {
    const post = await personPost(ctx, personPage);
    if (!post) return;
    const { view, code } = await people.issueEnrolmentCode(post.admin, post.who, post.change);
    render(ctx, 'admin/enrolment-code', { view, code, back: personPage(post.who) });
  });

  const showReset = (ctx: Context, view: PersonView, who: string, extra: { error?: string; reason?: string } = {}) => {
    if (extra.error) ctx.status = 400;
    render(ctx, 'admin/reset', { view, login: who, error: extra.error, reason: extra.reason ?? '', cancel: personPage(who) });
  };

  router.get('/orang/reset', async (ctx) => {
    const user = userOf(ctx);
    const who = login(ctx.query.login);
    const view = await people.find(user, who);
    if (!view.factors || (!view.factors.any && !view.factors.recoveryCodesLeft)) throw new AppError('admin.reset.nothing', 409);
    // The console's level 3 was proven at sign-in; a reset also wants it proven recently, as any sensitive change.
    if (await zone.requireFresh(ctx, resetPage(who))) return;
    showReset(ctx, view, who);
  });

  router.post('/orang/reset', form, async (ctx) => {
    const post = await personPost(ctx, resetPage);
    if (!post) return;
    try {
      await people.resetFactors(post.admin, post.who, post.reason, post.change);
    } catch (err) {
      return showReset(ctx, await people.find(post.admin, post.who), post.who, { error: refusalMessage(ctx, err), reason: post.reason });
    }
    ctx.status = 303;
    ctx.redirect(`${personPage(post.who)}&done=reset`);
  });

  return router;
};
