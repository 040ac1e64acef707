import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Logger } from '../shared/logger.ts';
import { currentRequestId } from '../shared/request-context.ts';
import type { Render } from './render.ts';

/** What an error page says: one plain sentence for the person, and what helps them or a developer go on. */
export interface ErrorPage {
  status: number;
  /** The plain sentence, already in the page's language. */
  message: string;
  /** The heading when the generic "something went wrong" does not fit (a missing page). */
  heading?: string;
  /** Where "sign in again" leads, when starting over is the way on. */
  retry?: string;
  /** The protocol detail (the OIDC error code and description), folded away for the app's developers. */
  developer?: { error: string; description?: string };
  /** The app the person came from, when it is known (a registered app, never a URL taken from the request). */
  app?: { name: string; url: string };
}

/**
 * Renders the one error page and writes the log line it refers to: both carry the same reference code (the request
 * id, on every other log line of the request too) and time, so the helpdesk finds the lines a person reads out.
 * Server faults are logged as errors with the cause; a person's or an app's mistake as info, without it.
 */
export const createErrorPages = (deps: { render: Render; logger: Logger }) => (ctx: Context, page: ErrorPage, cause?: unknown) => {
  // The request's id (src/http/request-id.ts), which every log line of this request carries too.
  const reference = (ctx.state.reqId as string | undefined) ?? currentRequestId() ?? randomBytes(6).toString('hex');
  const at = new Date();
  const line = { reference, reqId: reference, status: page.status, path: ctx.path, ...(page.developer ? { error: page.developer.error } : {}) };
  if (page.status >= 500) deps.logger.error({ ...line, err: cause }, 'error page');
  else deps.logger.info(line, 'error page');
  ctx.status = page.status;
  deps.render(ctx, 'error', { ...page, reference, at });
};

export type ErrorPages = ReturnType<typeof createErrorPages>;
