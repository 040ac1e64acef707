import type { Context, Next } from 'koa';
import type { Metrics } from './metrics.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route a request is counted under, never its raw path (which may hold a person's id or a token): oidc-provider's
 * endpoint name (`oidc:token`, `oidc:authorization`, `oidc:resume`), else the template of the route that matched
 * (`/admin/people/:sub`), else `other` (static files, pages nobody answered). Templates come from the code, so the
 * label has a small, fixed set of values.
 */
export const routeOf = (ctx: Context): string => {
  const oidcRoute = (ctx as Context & { oidc?: { route?: unknown } }).oidc?.route;
  if (typeof oidcRoute === 'string') return `oidc:${oidcRoute}`;
  const template = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  return typeof template === 'string' && template.length <= 120 ? template : 'other';
};

/**
 * Counts and times every request, mounted just inside the request id: it sees the final status of error pages. An
 * error that escapes every handler (none should) is counted with its status, or 500.
 */
export const httpMetrics = (metrics: Metrics) => async (ctx: Context, next: Next) => {
  const started = process.hrtime.bigint();
  let status: number | undefined;
  try {
    await next();
    status = ctx.status;
  } catch (err) {
    const s = (err as { status?: unknown }).status;
    status = typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
    throw err;
  } finally {
    const labels = { method: METHODS.has(ctx.method) ? ctx.method : 'OTHER', route: routeOf(ctx) };
    metrics.httpRequests.inc({ ...labels, status: String(status ?? 500) });
    metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  }
};
