import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { AppError } from '../http/errors.ts';
import { isInfrastructureError } from '../shared/infrastructure.ts';
import { RegistrationError, type DcrService } from './dcr.service.ts';
import { isClientId } from './registration.schema.ts';

const bearer = (ctx: Context): string | undefined => {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  return match?.[1];
};

/** Protocol errors as RFC 7591 §3.2.2 JSON, never an HTML page; a store outage as `temporarily_unavailable`. */
const jsonErrors = async (ctx: Context, next: Next) => {
  ctx.set('Cache-Control', 'no-store');
  try {
    await next();
  } catch (err) {
    if (err instanceof RegistrationError) {
      ctx.status = err.status;
      if (err.status === 401) ctx.set('WWW-Authenticate', `Bearer error="${err.error}"`);
      ctx.body = { error: err.error, error_description: err.description };
    } else if (err instanceof AppError) {
      ctx.status = err.status === 404 ? 401 : 400;
      ctx.body = { error: err.status === 404 ? 'invalid_token' : 'invalid_client_metadata', error_description: err.code };
    } else if (isInfrastructureError(err)) {
      ctx.status = 503;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'try again shortly' };
    } else if (typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500) {
      // A body that is not JSON, or too large.
      ctx.status = 400;
      ctx.body = { error: 'invalid_client_metadata', error_description: 'the body must be JSON client metadata' };
    } else {
      throw err;
    }
  }
};

/** A malformed client id cannot have a registration access token. */
const clientIdOf = (ctx: Context): string => {
  const id = ctx.params.clientId;
  if (!isClientId(id)) throw new RegistrationError('invalid_token', 'unknown client or invalid registration access token', 401);
  return id;
};

/** RFC 7591 registration endpoint and RFC 7592 client configuration endpoint. */
export const createDcrRoutes = (deps: { dcr: DcrService }) => {
  const router = new Router({ prefix: '/register' });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb' });
  router.use(jsonErrors);
  router.post('/', json, async (ctx) => {
    ctx.status = 201;
    ctx.body = await deps.dcr.register(bearer(ctx), ctx.request.body, ctx.ip);
  });
  router.get('/:clientId', async (ctx) => {
    ctx.body = await deps.dcr.read(clientIdOf(ctx), bearer(ctx));
  });
  router.put('/:clientId', json, async (ctx) => {
    ctx.body = await deps.dcr.update(clientIdOf(ctx), bearer(ctx), ctx.request.body, ctx.ip);
  });
  router.delete('/:clientId', async (ctx) => {
    await deps.dcr.remove(clientIdOf(ctx), bearer(ctx), ctx.ip);
    ctx.status = 204;
  });
  return router;
};
