import type { Context } from 'koa';
import { translator } from '../i18n/index.ts';
import { AppError } from './errors.ts';
import { requestLang } from './render.ts';

/**
 * A refusal the person can correct on the form they sent (an `AppError` with status 400); anything else is rethrown
 * for the zone's problem page or the error handler. For `catch` blocks: `catch (err) { return show({ error: refusalMessage(ctx, err) }) }`.
 */
export const correctable = (err: unknown): AppError => {
  if (!(err instanceof AppError) || err.status !== 400) throw err;
  return err;
};

/** The message of a correctable refusal, in the page's language (see `correctable`). */
export const refusalMessage = (ctx: Context, err: unknown): string => {
  const refusal = correctable(err);
  return translator(requestLang(ctx))(refusal.code, refusal.params);
};
