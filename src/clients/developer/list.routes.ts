import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../http/errors.ts';
import { refusalMessage } from '../../http/refusal.ts';
import type { Actor } from '../app-policy.ts';
import { text } from '../registration-form.ts';
import { appPage, nameOf, type DeveloperShared, type Found } from './shared.ts';

/** Adds the agency's list of apps, an app's detail page, and the lifecycle actions posted from it (submit, retire). */
export const addListRoutes = (router: Router, shared: DeveloperShared) => {
  const { render, apps, form, actor, t, posted, seeOther, ownApp, showDetail, onDetail } = shared;

  // --- the list ---

  router.get('/', async (ctx) => {
    const who = actor(ctx);
    const rows = await apps.listForAgency(who);
    const tr = t(ctx);
    render(ctx, 'developer/list', {
      agency: who.agency,
      apps: rows.map((found) => ({
        href: appPage(found.app.clientId),
        name: nameOf(found),
        clientId: found.app.clientId,
        status: found.app.status,
        statusLabel: tr(`developer.status.${found.app.status}`),
        change: found.live && found.open ? tr('developer.list.change_open', { state: tr(`developer.state.${found.open.state}`) }) : undefined,
        updatedAt: found.app.updatedAt,
      })),
    });
  });

  // --- the detail page ---

  router.get('/aplikasi/:clientId', async (ctx) => {
    const who = actor(ctx);
    await showDetail(ctx, await ownApp(ctx, who), who);
  });

  router.post('/aplikasi/:clientId/ajukan', form, async (ctx) => {
    posted(ctx);
    const who = actor(ctx);
    const found = await ownApp(ctx, who);
    if (!found.may.submit) throw new AppError('review.error.state', 409);
    await onDetail(ctx, who, async () => {
      await apps.submit(who, found.app.clientId);
      seeOther(ctx, `${appPage(found.app.clientId)}?done=submitted`);
    });
  });

  // --- retiring ---

  const retirableApp = async (ctx: Context, who: Actor) => {
    const found = await ownApp(ctx, who);
    if (!found.may.retire) throw new AppError('review.error.state', 409);
    return found;
  };

  const showRetire = (ctx: Context, found: Found, extra: { error?: string; reason?: string } = {}) => {
    const tr = t(ctx);
    if (extra.error) ctx.status = 400;
    render(ctx, 'developer/confirm', {
      title: tr('developer.retire.title', { name: nameOf(found) }),
      lines: [tr('developer.retire.what_signin'), tr('developer.retire.what_tokens'), tr('developer.retire.what_final')],
      action: `${appPage(found.app.clientId)}/pensiunkan`,
      reason: { label: tr('developer.retire.reason'), help: tr('developer.retire.reason_help'), value: extra.reason ?? '', error: extra.error },
      submit: tr('developer.retire.submit'),
      cancel: appPage(found.app.clientId),
    });
  };

  router.get('/aplikasi/:clientId/pensiunkan', async (ctx) => {
    showRetire(ctx, await retirableApp(ctx, actor(ctx)));
  });

  router.post('/aplikasi/:clientId/pensiunkan', form, async (ctx) => {
    const body = posted(ctx);
    const who = actor(ctx);
    const found = await retirableApp(ctx, who);
    const reason = text(body.reason, 2000);
    try {
      await apps.control(who, found.app.clientId, 'retire', reason);
    } catch (err) {
      return showRetire(ctx, found, { error: refusalMessage(ctx, err), reason });
    }
    seeOther(ctx, `${appPage(found.app.clientId)}?done=retired`);
  });
};
