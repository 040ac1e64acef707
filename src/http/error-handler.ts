import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import { translator, pickLang } from '../i18n/index.ts';
import type { Logger } from '../shared/logger.ts';
import { AppError } from './errors.ts';
import { isInfrastructureError } from '../shared/infrastructure.ts';
import type { Render } from './render.ts';

/**
 * The one error handler, mounted outermost. An `AppError` becomes its page; a client error from a library (bad body,
 * too large) a 4xx page; anything else is logged with a reference code and shown as a generic page: never a stack
 * trace. oidc-provider's endpoints answer their own protocol errors before reaching here.
 */
export const errorHandler = (deps: { render: Render; logger: Logger }) => async (ctx: Context, next: Next) => {
  try {
    await next();
  } catch (err) {
    const t = translator(pickLang(ctx.cookies.get('sa_lang', { signed: false })));
    if (err instanceof AppError) {
      ctx.status = err.status;
      deps.render(ctx, 'error', { message: t(err.code, err.params) });
      return;
    }
    if (isInfrastructureError(err) || (err as { error?: string }).error === 'temporarily_unavailable') {
      deps.logger.error({ err, path: ctx.path }, 'a store is unavailable');
      ctx.status = 503;
      ctx.set('Retry-After', '30');
      deps.render(ctx, 'error', { message: t('error.unavailable') });
      return;
    }
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      ctx.status = status;
      deps.render(ctx, 'error', { message: t('error.bad_request') });
      return;
    }
    const reference = randomBytes(6).toString('hex');
    deps.logger.error({ err, reference, path: ctx.path }, 'unhandled error');
    ctx.status = 500;
    deps.render(ctx, 'error', { message: t('error.internal'), reference });
  }
};

/** Security headers for every response of ours. */
export const securityHeaders = async (ctx: Context, next: Next) => {
  await next();
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  if (ctx.type === 'text/html') {
    // No form-action: after sign-in the browser is redirected to the app, which form-action would block.
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
    ctx.set('X-Frame-Options', 'DENY');
  }
};
