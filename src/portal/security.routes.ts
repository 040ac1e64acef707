import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { AppError } from '../http/errors.ts';
import { totpSetupView } from '../mfa/totp-setup.ts';
import { zoneRouter } from '../zones/zone-router.ts';
import { addPasskeyRoutes } from './security/passkeys.routes.ts';
import { BASE, CODES_PAGE, createSecurityShared, DONE, fields, REMOVE_TOTP_PAGE, TOTP_PAGE, type SecurityDeps } from './security/shared.ts';

/**
 * My security (issue 3): the person's second factors, and adding, replacing, renaming and removing them and renewing
 * recovery codes. The first factor may be added with the level-1 session (as enrolment on demand at sign-in); every
 * other change needs both factors proven within 15 minutes (`user.fresh`), else a step-up first. Removing and renewing
 * are confirmed on a page that says what will happen. The rules are in the factors service; this file parses and renders.
 */
export const createSecurityRoutes = (deps: SecurityDeps) => {
  const { render, factors } = deps;
  const router = zoneRouter(deps, { prefix: BASE, back: BASE });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });
  const shared = createSecurityShared(deps);
  const { userOf, subOf, t, changeContext, posted, steppedUp, mayAdd, backToList, showCodes, confirm } = shared;

  // --- the list ---

  router.get('/', async (ctx) => {
    const user = userOf(ctx);
    const done = typeof ctx.query.done === 'string' ? DONE.get(ctx.query.done) : undefined;
    render(ctx, 'portal/security', {
      summary: await factors.summary(user.account.sub),
      fresh: user.fresh,
      done: done && t(ctx)(done),
      base: BASE,
    });
  });

  // --- authenticator app: add or replace (the confirmed one keeps working until the new one is confirmed) ---

  const showTotp = async (ctx: Context, error?: string) => {
    const { account } = userOf(ctx);
    // An enrolment in progress is shown again: the person may already have scanned it.
    const setup = await totpSetupView((await deps.mfa.pendingTotp(account.sub, account.username)) ?? (await deps.mfa.beginTotp(account.sub, account.username)));
    if (error) ctx.status = 401;
    render(ctx, 'portal/security-totp', {
      ...setup,
      replacing: (await deps.mfa.factors(account.sub)).totp,
      error,
      action: TOTP_PAGE,
      cancel: BASE,
    });
  };

  router.get('/autentikator', async (ctx) => {
    if (await steppedUp(ctx, TOTP_PAGE, await mayAdd(ctx))) return;
    await showTotp(ctx);
  });

  router.post('/autentikator', form, async (ctx) => {
    const body = posted(ctx);
    if (await steppedUp(ctx, TOTP_PAGE, await mayAdd(ctx))) return;
    const enrolled = await deps.mfa.confirmTotp(subOf(ctx), fields(body).code, changeContext(ctx));
    if (!enrolled) return showTotp(ctx, t(ctx)('mfa.invalid'));
    showCodes(ctx, enrolled.recoveryCodes);
  });

  // --- authenticator app: remove ---

  router.get('/autentikator/hapus', async (ctx) => {
    const sub = subOf(ctx);
    if (!(await deps.mfa.factors(sub)).totp) throw new AppError('security.totp_not_enrolled', 404);
    if (await deps.zone.requireFresh(ctx, REMOVE_TOTP_PAGE)) return;
    const tr = t(ctx);
    confirm(ctx, {
      title: tr('security.remove_totp.title'),
      lines: [tr('security.remove_totp.what'), tr((await factors.wouldBeLast(sub, 'totp')) ? 'security.remove.last' : 'security.remove.others')],
      action: REMOVE_TOTP_PAGE,
      submit: tr('security.remove.submit'),
    });
  });

  router.post('/autentikator/hapus', form, async (ctx) => {
    posted(ctx);
    if (await deps.zone.requireFresh(ctx, REMOVE_TOTP_PAGE)) return;
    await factors.removeTotp(subOf(ctx), changeContext(ctx));
    backToList(ctx, 'totp_removed');
  });

  addPasskeyRoutes(router, form, deps, shared);

  // --- recovery codes: renew (the old ones void at once) ---

  const requireFactor = async (ctx: Context) => {
    if (!(await factors.hasAny(subOf(ctx)))) throw new AppError('security.codes.need_factor', 409);
  };

  router.get('/kode-pemulihan', async (ctx) => {
    await requireFactor(ctx);
    if (await deps.zone.requireFresh(ctx, CODES_PAGE)) return;
    const tr = t(ctx);
    confirm(ctx, { title: tr('security.regenerate.title'), lines: [tr('security.regenerate.what')], action: CODES_PAGE, submit: tr('security.regenerate.submit') });
  });

  router.post('/kode-pemulihan', form, async (ctx) => {
    posted(ctx);
    await requireFactor(ctx);
    if (await deps.zone.requireFresh(ctx, CODES_PAGE)) return;
    showCodes(ctx, await deps.mfa.regenerateRecoveryCodes(subOf(ctx), changeContext(ctx)));
  });

  return router;
};
