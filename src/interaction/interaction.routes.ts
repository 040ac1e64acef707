import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { AppError, errors } from '../http/errors.ts';
import { readForm } from '../http/form-fields.ts';
import { choiceForm, loginForm } from './forms.ts';
import type { InteractionDeps } from './deps.ts';
import { createFlow } from './flow.ts';
import { knownDevices, rememberDevice } from './known-device.ts';
import { addSecondFactorRoutes } from './second-factor.routes.ts';
import { createSteps } from './steps.ts';

/**
 * The sign-in experience's routes: each page is shown by the step that applies (steps.ts); each form post loads the
 * interaction once, checks its CSRF token and ends with `interactionResult` or the next step.
 */
export const createInteractionRoutes = (deps: InteractionDeps) => {
  const flow = createFlow(deps.provider, deps.accounts);
  const router = new Router({ prefix: '/interaction' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

  const secondFactor = addSecondFactorRoutes(router, form, { ...deps, flow });
  const steps = createSteps(deps, flow, secondFactor);

  router.get('/:uid', async (ctx) => steps.show(ctx, await flow.load(ctx)));

  router.post('/:uid/login', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    if (details.prompt.name !== 'login') throw errors.sessionExpired();
    const { username, password } = readForm(loginForm, body);
    const clientId = String(details.params.client_id);
    let account;
    try {
      const result = await deps.login.withPassword({ login: username, password, ip: ctx.ip, ua: ctx.get('user-agent'), clientId, knownDevices: knownDevices(ctx) });
      account = result.account;
      // This browser is now known for this person: it keeps a guessing budget of its own (OWASP, blocking brute force).
      rememberDevice(ctx, result.device);
    } catch (err) {
      if (err instanceof AppError && (err.code.startsWith('login.') || err.code.startsWith('error.account_'))) {
        return steps.showLogin(ctx, details, { error: err, username });
      }
      throw err;
    }
    await steps.afterPassword(ctx, details, account);
  });

  router.post('/:uid/notice', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    if (details.prompt.name !== 'consent') throw errors.sessionExpired();
    const decision = { sub: details.session!.accountId, clientId: String(details.params.client_id), scopes: await steps.noticeScopes(details), ip: ctx.ip };
    if (readForm(choiceForm, body).decision !== 'accept') {
      await deps.consent.deny(decision);
      return flow.finish(ctx, { error: 'access_denied', error_description: 'End-User declined to share the requested data' });
    }
    await deps.consent.grant(decision);
    await flow.finish(ctx, await steps.grantScopes(details));
  });

  // A POST with the CSRF token: cancelling ends the sign-in and writes an audit record, which a link on another site
  // must not be able to do.
  router.post('/:uid/abort', form, async (ctx) => {
    const { details } = await flow.loadForm(ctx);
    const sub = details.session?.accountId ?? null;
    await deps.audit.record({ event: 'signin.cancelled', actor: sub, subject: sub, clientId: String(details.params.client_id), ip: ctx.ip });
    await flow.finish(ctx, { error: 'access_denied', error_description: 'End-User cancelled the sign-in' });
  });

  return router;
};
