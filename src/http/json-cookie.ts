import type { Context } from 'koa';

/**
 * Behind TLS a cookie of ours is named `__Host-…`: the browser then accepts it only from this exact host, Secure, with
 * Path=/ and no Domain, so a sibling sub-domain (any other app under the regency's domain) cannot plant one.
 */
export const hostCookieName = (ctx: Context, name: string): string => (ctx.secure ? `__Host-${name}` : name);

/**
 * A signed, HttpOnly cookie holding a small JSON value, scoped to `path` (signed with the app's cookie keys, so a
 * browser can read it but not forge it). `take` reads and clears it at once, for values meant to be used once.
 */
export const jsonCookie = <T>(name: string, options: { path: string; sameSite: 'lax' | 'strict' }) => {
  const settings = (ctx: Context, maxAgeMs?: number) => ({
    signed: true,
    httpOnly: true,
    secure: ctx.secure,
    overwrite: true,
    ...options,
    ...(ctx.secure ? { path: '/' } : {}), // `__Host-` requires Path=/
    ...(maxAgeMs ? { maxAge: maxAgeMs } : {}),
  });
  const get = (ctx: Context): T | undefined => {
    const raw = ctx.cookies.get(hostCookieName(ctx, name), { signed: true });
    if (!raw) return undefined;
    try {
      return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  };
  const clear = (ctx: Context) => void ctx.cookies.set(hostCookieName(ctx, name), null, settings(ctx));
  return {
    get,
    clear,
    set: (ctx: Context, value: T, maxAgeMs?: number) => void ctx.cookies.set(hostCookieName(ctx, name), Buffer.from(JSON.stringify(value)).toString('base64url'), settings(ctx, maxAgeMs)),
    take: (ctx: Context): T | undefined => {
      const value = get(ctx);
      clear(ctx);
      return value;
    },
  };
};
