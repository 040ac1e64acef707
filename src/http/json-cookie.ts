import type { Context } from 'koa';

/**
 * A signed, HttpOnly cookie holding a small JSON value, scoped to `path` (signed with the app's cookie keys, so a
 * browser can read it but not forge it). `take` reads and clears it at once, for values meant to be used once.
 */
export const jsonCookie = <T>(name: string, options: { path: string; sameSite: 'lax' | 'strict' }) => {
  const settings = (ctx: Context, maxAgeMs?: number) => ({ signed: true, httpOnly: true, secure: ctx.secure, overwrite: true, ...options, ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) });
  const get = (ctx: Context): T | undefined => {
    const raw = ctx.cookies.get(name, { signed: true });
    if (!raw) return undefined;
    try {
      return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as T;
    } catch {
      return undefined;
    }
  };
  const clear = (ctx: Context) => void ctx.cookies.set(name, null, settings(ctx));
  return {
    get,
    clear,
    set: (ctx: Context, value: T, maxAgeMs?: number) => void ctx.cookies.set(name, Buffer.from(JSON.stringify(value)).toString('base64url'), settings(ctx, maxAgeMs)),
    take: (ctx: Context): T | undefined => {
      const value = get(ctx);
      clear(ctx);
      return value;
    },
  };
};
