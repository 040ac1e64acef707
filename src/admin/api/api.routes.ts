import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { z } from 'zod';
import type { AccountsService } from '../../accounts/accounts.service.ts';
import type { AuditService } from '../../audit/audit.service.ts';
import type { ClientRegistry } from '../../clients/app.ts';
import type { Agencies } from '../../roles/agencies.ts';
import type { AppRolesRepo } from '../../roles/app-roles.repo.ts';
import type { AppRolesService } from '../../roles/app-roles.service.ts';
import type { GrantsService } from '../../roles/grants.service.ts';
import type { RolesService } from '../../roles/roles.service.ts';
import type { TimeZone } from '../../http/form-fields.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Logger } from '../../shared/logger.ts';
import type { PeopleService } from '../people.service.ts';
import { createApiAuth, type ApiClient } from './auth.ts';
import { openApiDocument } from './openapi.ts';
import { createOperations, type Operation } from './operations.ts';
import { ApiProblem, httpProblem, sendProblem, toProblem, validationProblem } from './problem.ts';

/** Where the admin API lives: versioned, so a later incompatible version can live beside this one. */
export const API_BASE = '/admin/api/v1';

/** What the error handler needs to know about a call once the app is known: it audits refusals with the app as actor. */
interface CallState {
  client: ApiClient;
  operation: string;
}

const koaPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
const pathPattern = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`);

export interface AdminApiDeps {
  issuer: string;
  provider: Provider;
  /** Every app; `configured` are the clients file's (and Satu Akun's own), which act for everyone. */
  clients: ClientRegistry;
  configured: ClientRegistry;
  people: PeopleService;
  accounts: AccountsService;
  grants: GrantsService;
  appRoles: AppRolesService;
  appRoleGrants: Pick<AppRolesRepo, 'ofPerson'>;
  agencies: Agencies;
  roles: RolesService;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  /** The regency's time zone: when an end date given as a day ends. */
  timeZone: TimeZone;
}

/**
 * The admin API (issue 10 §7) at `/admin/api/v1`: the console's actions as JSON for apps holding admin scopes, described
 * by the OpenAPI document at `openapi.json` (served to anyone: it holds no data). Each call: the token (401), the
 * scope (403), the input against the operation's schemas (400), then the same service function as the page; reads are
 * audited here, changes by the services, refusals of an identified app here too. Every error is problem+json.
 */
export const createAdminApiRoutes = (deps: AdminApiDeps) => {
  const base = new URL(API_BASE, deps.issuer).href;
  const auth = createApiAuth({ provider: deps.provider, clients: deps.clients, configured: deps.configured, base });
  const operations = createOperations({ ...deps, base });
  const document = openApiDocument(operations, { issuer: deps.issuer, base });
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' });
  const router = new Router({ prefix: API_BASE });

  const problems = async (ctx: Context, next: Next) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await next();
    } catch (err) {
      const { problem, headers } = toProblem(base, err, deps.logger, ctx.path);
      const call = ctx.state.adminApi as CallState | undefined;
      if (call && problem.status < 500) {
        // A refusal of an identified app is worth knowing about (probing, a broken job); it must not hide the refusal.
        await deps.audit
          .record({ event: 'admin_api.refused', actor: call.client.admin.account.sub, clientId: call.client.clientId, ip: ctx.ip, details: { operation: call.operation, status: problem.status, refusal: problem.code ?? 'http' } })
          .catch((auditErr: unknown) => deps.logger.warn({ err: auditErr }, 'admin API: could not audit a refusal'));
      }
      sendProblem(ctx, problem, headers);
    }
  };

  /** `input` parsed by `schema`, or a 400 naming every invalid field. */
  const parse = <S extends z.ZodType>(schema: S, input: unknown, where: 'body' | 'query' | 'path'): z.output<S> => {
    const result = schema.safeParse(input);
    if (!result.success) throw validationProblem(base, where, result.error);
    return result.data;
  };

  /** The JSON body, read only once the caller is known; anything but JSON is a 415. */
  const readBody = async (ctx: Context): Promise<unknown> => {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || !!ctx.get('transfer-encoding');
    if (hasBody && !ctx.is('application/json')) throw new ApiProblem(httpProblem(415, 'The request body must be JSON (application/json).'));
    await json(ctx, async () => undefined);
    return hasBody ? ctx.request.body : {};
  };

  const handler = (op: Operation) => async (ctx: Context) => {
    const client = await auth.authenticate(ctx);
    ctx.state.adminApi = { client, operation: op.operationId } satisfies CallState;
    auth.requireScope(client, op.scope);
    const params = parse(op.params, { ...ctx.params }, 'path');
    const query = parse(op.query, { ...ctx.query }, 'query');
    const body = op.body ? parse(op.body, await readBody(ctx), 'body') : undefined;
    const answer = await op.handle({ params, query, body, client, change: { ip: ctx.ip, clientId: client.clientId } });
    if (op.kind === 'read') {
      await deps.audit.record({ event: 'admin_api.read', actor: client.admin.account.sub, subject: answer.subject ?? null, clientId: client.clientId, ip: ctx.ip, details: { operation: op.operationId } });
    }
    ctx.status = op.response.status;
    if (op.response.status !== 204) ctx.body = answer.body;
  };

  router.use(problems);
  router.get('/openapi.json', (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = document;
  });
  for (const op of operations) router[op.method](koaPath(op.path), handler(op));

  // Anything else under the API's base: 405 with the methods the path takes, else 404, as problem+json.
  const patterns = operations.map((op) => ({ method: op.method.toUpperCase(), pattern: pathPattern(op.path) }));
  const elsewhere = (ctx: Context, next: Next) => {
    const local = ctx.path.slice(API_BASE.length) || '/';
    // `/admin/api/v1x` is not under the base, only beside it.
    if (!local.startsWith('/')) return next();
    const allowed = [...new Set([...patterns.filter((p) => p.pattern.test(local)).map((p) => p.method), ...(local === '/openapi.json' ? ['GET'] : [])])];
    if (allowed.length) throw new ApiProblem(httpProblem(405, `This path takes ${allowed.join(', ')}.`), { Allow: [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ') });
    throw new ApiProblem(httpProblem(404, 'There is no such operation. See openapi.json.'));
  };
  router.all('{*rest}', elsewhere);

  return router;
};
