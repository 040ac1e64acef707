import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../http/errors.ts';
import { refusalMessage } from '../../http/refusal.ts';
import type { Actor } from '../app-policy.ts';
import { MAX_OVERLAP_HOURS } from '../apps.service.ts';
import { text } from '../registration-form.ts';
import { appPage, liveUsesSecret, nameOf, type DeveloperShared, type Found } from './shared.ts';

const DEFAULT_OVERLAP_HOURS = 24;

/** Adds an app's client secrets: the first one, and rotating it through a choice of overlap and a confirmation. */
export const addSecretRoutes = (router: Router, shared: DeveloperShared) => {
  const { render, apps, form, now, actor, t, posted, ownApp, secretsNow, onDetail } = shared;

  // --- client secrets: shown once, on the response to the post that made them ---

  const showSecret = (ctx: Context, found: Found, secret: string, overlapHours: number) => {
    render(ctx, 'developer/secret', {
      name: nameOf(found),
      clientId: found.app.clientId,
      secret,
      rotated: found.secrets.length > 0,
      oldUntil: overlapHours > 0 ? new Date(now() + overlapHours * 3600_000) : undefined,
      back: appPage(found.app.clientId),
    });
  };

  // The first secret, once approved; replacing one goes through the rotation's confirmation instead.
  router.post('/aplikasi/:clientId/rahasia', form, async (ctx) => {
    posted(ctx);
    const who = actor(ctx);
    const found = await ownApp(ctx, who);
    if (secretsNow(found).current) throw new AppError('review.error.state', 409);
    await onDetail(ctx, who, async () => showSecret(ctx, found, await apps.rotateSecret(who, found.app.clientId, 0), 0));
  });

  /** An app whose current secret may be replaced now. */
  const rotatableApp = async (ctx: Context, who: Actor) => {
    const found = await ownApp(ctx, who);
    if (!found.may.rotateSecret || !liveUsesSecret(found) || !secretsNow(found).current) throw new AppError('review.error.state', 409);
    return found;
  };

  /** Hours typed by the person: a whole number within the allowed overlap, else undefined. */
  const overlapOf = (value: unknown): number | undefined => {
    const raw = text(value, 10).trim();
    const hours = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    return Number.isInteger(hours) && hours >= 0 && hours <= MAX_OVERLAP_HOURS ? hours : undefined;
  };

  const showRotate = (ctx: Context, found: Found, extra: { error?: string; hours?: string } = {}) => {
    if (extra.error) ctx.status = 400;
    render(ctx, 'developer/rotate', {
      name: nameOf(found),
      action: `${appPage(found.app.clientId)}/rahasia/ganti/konfirmasi`,
      hours: extra.hours ?? String(DEFAULT_OVERLAP_HOURS),
      max: MAX_OVERLAP_HOURS,
      days: MAX_OVERLAP_HOURS / 24,
      error: extra.error,
      cancel: appPage(found.app.clientId),
    });
  };

  router.get('/aplikasi/:clientId/rahasia/ganti', async (ctx) => {
    showRotate(ctx, await rotatableApp(ctx, actor(ctx)));
  });

  // The choice of overlap is a GET (nothing changes yet); the confirmation's form is the post that rotates.
  router.get('/aplikasi/:clientId/rahasia/ganti/konfirmasi', async (ctx) => {
    const found = await rotatableApp(ctx, actor(ctx));
    const hours = overlapOf(ctx.query.jam);
    if (hours === undefined) return showRotate(ctx, found, { error: t(ctx)('review.error.overlap', { max: MAX_OVERLAP_HOURS }), hours: text(ctx.query.jam, 10) });
    const tr = t(ctx);
    const until = render.formats(ctx).date(new Date(now() + hours * 3600_000));
    render(ctx, 'developer/confirm', {
      title: tr('developer.rotate.confirm_title', { name: nameOf(found) }),
      lines: [tr('developer.rotate.what_new'), hours > 0 ? tr('developer.rotate.what_overlap', { hours, date: until }) : tr('developer.rotate.what_now')],
      action: `${appPage(found.app.clientId)}/rahasia/ganti`,
      hidden: { jam: String(hours) },
      submit: tr('developer.rotate.submit'),
      cancel: appPage(found.app.clientId),
    });
  });

  router.post('/aplikasi/:clientId/rahasia/ganti', form, async (ctx) => {
    const body = posted(ctx);
    const who = actor(ctx);
    const found = await rotatableApp(ctx, who);
    const hours = overlapOf(body.jam);
    if (hours === undefined) return showRotate(ctx, found, { error: t(ctx)('review.error.overlap', { max: MAX_OVERLAP_HOURS }), hours: text(body.jam, 10) });
    let secret: string;
    try {
      secret = await apps.rotateSecret(who, found.app.clientId, hours);
    } catch (err) {
      return showRotate(ctx, found, { error: refusalMessage(ctx, err), hours: String(hours) });
    }
    showSecret(ctx, found, secret, hours);
  });
};
