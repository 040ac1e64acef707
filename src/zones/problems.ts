import type { Context, Next } from 'koa';
import { AppError } from '../http/errors.ts';
import { requestLang, type Render } from '../http/render.ts';
import { translator } from '../i18n/index.ts';

const STATUSES = new Set([403, 404, 409]);

/**
 * Inside a zone, a refusal (403), an unknown or someone else's id (404) or an impossible change (409) is shown as a
 * clear page in the zone's layout with a way `back`, not as the sign-in error page. Other errors go to the one handler.
 */
export const zoneProblems = (render: Render, back: string) => async (ctx: Context, next: Next) => {
  try {
    await next();
  } catch (err) {
    if (!(err instanceof AppError) || !STATUSES.has(err.status)) throw err;
    ctx.status = err.status;
    render(ctx, 'portal/problem', { status: err.status, message: translator(requestLang(ctx))(err.code, err.params), back });
  }
};
