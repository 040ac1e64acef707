import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import { runWithRequestId } from '../shared/request-context.ts';

/** What a proxy's id may look like (nginx's `$request_id` is 32 hex digits): nothing that could forge a log field. */
const INCOMING = /^[A-Za-z0-9-]{8,64}$/;

/** A fresh id: 12 hex digits, short enough for a person to read out over the phone. */
export const newRequestId = (): string => randomBytes(6).toString('hex');

/**
 * Gives every request an id, mounted outermost: the one the trusted proxy in front sent (`X-Request-Id`, with
 * SATU_AKUN_TRUST_PROXY, if it has a safe shape)
 * or a new one. It is sent back as `X-Request-Id`, carried by every log line written while serving the request, and
 * shown as the reference on an error page, so the helpdesk finds the line from what a person reads out.
 */
export const requestId = async (ctx: Context, next: Next) => {
  // Only from the proxy Satu Akun is told to trust: anyone else could choose the reference their error page shows.
  const given = ctx.app.proxy ? ctx.get('x-request-id') : '';
  const reqId = INCOMING.test(given) ? given : newRequestId();
  ctx.state.reqId = reqId;
  ctx.set('X-Request-Id', reqId);
  await runWithRequestId(reqId, next);
};
