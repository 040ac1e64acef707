import type { Context, Next } from 'koa';
import { translator } from '../i18n/index.ts';
import type { Logger } from '../shared/logger.ts';
import { AppError } from './errors.ts';
import { isInfrastructureError } from '../shared/infrastructure.ts';
import { requestLang, type Render } from './render.ts';
import { createErrorPages } from './error-page.ts';

/**
 * The 4xx a library's error stands for, if it is the client's fault: a status it carries (body parsers: too large,
 * 415 unsupported encoding), or a body that does not inflate (`Content-Encoding: gzip` on a plain body: zlib's `Z_*`).
 */
const clientErrorStatus = (err: unknown): number | undefined => {
  const { status, code } = err as { status?: unknown; code?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  if (typeof code === 'string' && code.startsWith('Z_')) return 400;
  return undefined;
};

/** A request that wants JSON back (the admin API, a script), which gets `{"error":"not_found"}` rather than a page. */
const wantsJson = (ctx: Context) => ctx.path.startsWith('/admin/api/') || ctx.accepts('html', 'json') === 'json';

/**
 * The one error handler, mounted outermost. An `AppError` becomes its page; a client error from a library (bad body,
 * too large) a 4xx page; a path nothing answered the "page not found" page; anything else is logged with a reference
 * code and shown as a generic page: never a stack trace. oidc-provider's endpoints answer their own protocol errors
 * before reaching here (their pages come from `oidc/pages.ts`, in the same design).
 */
export const errorHandler = (deps: { render: Render; logger: Logger }) => {
  const show = createErrorPages(deps);
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && !ctx.headerSent) {
        if (wantsJson(ctx)) {
          ctx.status = 404;
          ctx.body = { error: 'not_found' };
          return;
        }
        const t = translator(requestLang(ctx));
        show(ctx, { status: 404, heading: t('error.not_found_title'), message: t('error.not_found') });
      }
    } catch (err) {
      // The same language as the page around the message (`?lang=`, then the remembered choice).
      const t = translator(requestLang(ctx));
      if (err instanceof AppError) return show(ctx, { status: err.status, message: t(err.code, err.params), retry: err.retry });
      if (isInfrastructureError(err) || (err as { error?: string }).error === 'temporarily_unavailable') {
        deps.logger.error({ err, path: ctx.path }, 'a store is unavailable');
        ctx.set('Retry-After', '30');
        return show(ctx, { status: 503, message: t('error.unavailable') });
      }
      const status = clientErrorStatus(err);
      if (status) return show(ctx, { status, message: t('error.bad_request') });
      show(ctx, { status: 500, message: t('error.internal') }, err);
    }
  };
};

/**
 * Security headers for every response, error pages included: mounted outside the error handler, so they are set
 * after it has turned a thrown error into a page (a `finally`, so not even an escaping error skips them).
 */
export const securityHeaders = async (ctx: Context, next: Next) => {
  try {
    await next();
  } finally {
    setSecurityHeaders(ctx);
  }
};

const setSecurityHeaders = (ctx: Context) => {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  if (ctx.type === 'text/html') {
    // No form-action: after sign-in the browser is redirected to the app, which form-action would block.
    ctx.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
    ctx.set('X-Frame-Options', 'DENY');
  }
};

/**
 * Every URL the provider publishes (discovery, redirects, logout) comes from the configured issuer, never from the
 * request's `Host` or `X-Forwarded-Host`: `Host: evil.example` cannot make discovery advertise evil.example, and a
 * malformed one (`[::1`, `localhost:99999`) is answered 400 before anything builds a URL from it. The scheme still comes from the connection or
 * the trusted proxy (`X-Forwarded-Proto`), which decides whether cookies are `Secure`.
 */
export const canonicalHost = (issuer: string) => {
  const host = new URL(issuer).host;
  return async (ctx: Context, next: Next) => {
    const given = ctx.request.header.host;
    if (given !== undefined && !URL.canParse(`http://${given}`)) throw new AppError('error.bad_request', 400);
    ctx.request.header.host = host;
    delete ctx.request.header['x-forwarded-host'];
    await next();
  };
};
