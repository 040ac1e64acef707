import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../http/errors.ts';
import { refusalMessage } from '../../http/refusal.ts';
import { CONTROL, isReviewer, type ControlAction } from '../app-policy.ts';
import type { AppStatus } from '../apps.repo.ts';
import { clientIdOf, CONTROLS, currentVersion, field, MAX_REASON, pagePath } from './helpers.ts';
import type { ReviewShared } from './shared.ts';

/** Live-app control (suspend, reinstate, retire), each confirmed on a page that says what will happen. */
export const addControlRoutes = (router: Router, { render, apps, form, actorIn, steppedUp, posted }: ReviewShared) => {
  const showConfirm = async (ctx: Context, clientId: string, action: ControlAction, extra: { reason?: string; error?: string } = {}) => {
    const actor = actorIn(ctx);
    const { app, live, open, versions } = await apps.detail(actor, clientId);
    const version = currentVersion({ latest: versions.at(-1), live, open });
    if (extra.error) ctx.status = 400;
    render(ctx, 'review/confirm', {
      app,
      name: version?.registration.name ?? app.clientId,
      action,
      post: pagePath(clientId, action),
      cancel: pagePath(clientId),
      reason: extra.reason ?? '',
      error: extra.error,
    });
  };

  /** Passes when this person may apply `action` to the app now; otherwise a 404, 403 or 409 page. */
  const controllable = async (ctx: Context, clientId: string, action: ControlAction) => {
    const actor = actorIn(ctx);
    const { app } = await apps.detail(actor, clientId);
    // The console's control is Diskominfo's: an auditor (who changes nothing) or an agency's own people, who retire
    // their app from the developer portal, are refused here even where the lifecycle would let them retire it.
    if (!isReviewer(actor) || !CONTROL[action].may(actor, app)) throw new AppError('review.error.forbidden', 403);
    if (!(CONTROL[action].from as readonly AppStatus[]).includes(app.status)) throw new AppError('review.error.state', 409);
  };

  for (const action of Object.keys(CONTROLS) as ControlAction[]) {
    router.get(`/:clientId/${CONTROLS[action]}`, async (ctx) => {
      const clientId = clientIdOf(ctx);
      await controllable(ctx, clientId, action);
      if (await steppedUp(ctx, pagePath(clientId, action))) return;
      await showConfirm(ctx, clientId, action);
    });

    router.post(`/:clientId/${CONTROLS[action]}`, form, async (ctx) => {
      const clientId = clientIdOf(ctx);
      const body = posted(ctx);
      await controllable(ctx, clientId, action);
      if (await steppedUp(ctx, pagePath(clientId, action))) return;
      const reason = field(body, 'reason', MAX_REASON);
      try {
        await apps.control(actorIn(ctx), clientId, action, reason);
      } catch (err) {
        return showConfirm(ctx, clientId, action, { reason, error: refusalMessage(ctx, err) });
      }
      ctx.status = 303;
      ctx.redirect(`${pagePath(clientId)}?done=${action}`);
    });
  }
};
