import Tokens from 'csrf';
import type { Context } from 'koa';
import { errors } from './errors.ts';
import { hostCookieName } from './json-cookie.ts';

const COOKIE = 'sa_csrf';
const tokens = new Tokens();

/**
 * CSRF protection for our own forms (synchroniser token): a per-browser secret in a signed, HttpOnly cookie and a
 * token derived from it in each form. oidc-provider protects its own logout form itself.
 */
export const csrfToken = (ctx: Context): string => {
  const name = hostCookieName(ctx, COOKIE);
  let secret = ctx.cookies.get(name, { signed: true });
  if (!secret) {
    secret = tokens.secretSync();
    ctx.cookies.set(name, secret, { signed: true, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', overwrite: true });
  }
  return tokens.create(secret);
};

/** Rejects a form post whose token does not match this browser's secret. */
export const verifyCsrf = (ctx: Context, token: unknown): void => {
  const secret = ctx.cookies.get(hostCookieName(ctx, COOKIE), { signed: true });
  if (!secret || typeof token !== 'string' || !tokens.verify(secret, token)) throw errors.csrf();
};
