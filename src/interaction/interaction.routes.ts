import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { ClientRegistry } from '../clients/clients.repo.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { MfaService } from '../mfa/mfa.service.ts';
import type { EnrolmentPolicy } from '../mfa/enrolment-policy.ts';
import type { EnrolmentProof } from '../mfa/enrolment-proof.service.ts';
import type { WebauthnService } from '../mfa/webauthn.service.ts';
import type { Clock } from '../shared/clock.ts';
import { AppError, errors } from '../http/errors.ts';
import { csrfToken } from '../http/csrf.ts';
import { requestLang, type Render } from '../http/render.ts';
import { translator } from '../i18n/index.ts';
import { acrOf, amrFor } from '../levels/levels.ts';
import { createFlow, type Details } from './flow.ts';
import type { KnownDevice, LoginService } from './login.service.ts';
import { jsonCookie } from '../http/json-cookie.ts';
import { addSecondFactorRoutes } from './second-factor.routes.ts';
import { ACCESS_PROMPT } from '../access/access-check.ts';
import { NETWORK_PROMPT } from '../access/network-check.ts';
import { LEVEL_CONFIRM, levelForRequest } from '../levels/level-check.ts';

/** People who signed in from this browser, each with the browser's device id for them; signed, so it cannot be forged. */
const knownDevice = jsonCookie<KnownDevice[]>('sa_device', { path: '/interaction', sameSite: 'lax' });
const KNOWN_DEVICES_KEPT = 5;
const KNOWN_DEVICE_MAX_AGE_MS = 365 * 24 * 3600_000;

export interface InteractionDeps {
  provider: Provider;
  login: LoginService;
  consent: ConsentService;
  clients: ClientRegistry;
  accounts: AccountsService;
  mfa: MfaService;
  webauthn: WebauthnService;
  enrolmentProof: EnrolmentProof;
  enrolment: EnrolmentPolicy;
  clock: Clock;
  audit: AuditService;
  render: Render;
}

/**
 * The sign-in experience as oidc-provider prompts for it: password → second factor (when the level needs one) →
 * first-time notice. Each handler loads the interaction once and ends with `interactionResult`.
 */
export const createInteractionRoutes = (deps: InteractionDeps) => {
  const { render } = deps;
  const flow = createFlow(deps.provider);
  const router = new Router({ prefix: '/interaction' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb' });

  const appOf = async (details: Details) => deps.clients.find(String(details.params.client_id));

  const showLogin = async (ctx: Context, details: Details, extra: { error?: AppError; username?: string } = {}) => {
    const app = await appOf(details);
    const uiLocales = details.params.ui_locales as string | undefined;
    const t = translator(requestLang(ctx, uiLocales));
    if (extra.error) ctx.status = extra.error.status;
    render(ctx, 'login', {
      uid: details.uid,
      appName: app?.name ?? String(details.params.client_id),
      csrf: csrfToken(ctx),
      username: extra.username ?? (details.params.login_hint as string | undefined) ?? '',
      error: extra.error && t(extra.error.code, extra.error.params),
    }, { uiLocales });
  };

  /** Consent step: scopes asked for now that this person has never agreed to give this app. */
  const noticeScopes = async (details: Details) => {
    const asked = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    return deps.consent.missing(details.session!.accountId, String(details.params.client_id), asked);
  };

  const grantScopes = async (details: Details) => {
    const accountId = details.session!.accountId;
    const clientId = String(details.params.client_id);
    const grant = details.grantId ? (await deps.provider.Grant.find(details.grantId))! : new deps.provider.Grant({ accountId, clientId });
    const scopes = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    return { consent: { grantId: await grant.save() } };
  };

  /** Outside the app's access rule: a page naming the app and whom to ask; the refusal is audited. */
  const showRefusal = async (ctx: Context, details: Details) => {
    const app = await appOf(details);
    const sub = details.session!.accountId;
    await deps.audit.record({ event: 'access.denied', actor: sub, subject: sub, clientId: String(details.params.client_id), ip: ctx.ip, details: { rule: app?.access.kind ?? 'all' } });
    ctx.status = 403;
    render(ctx, 'access-denied', { uid: details.uid, csrf: csrfToken(ctx), appName: app?.name ?? String(details.params.client_id), contact: app?.contact, agency: app?.agency }, { uiLocales: details.params.ui_locales as string | undefined });
  };

  /** A level-3 app opened from outside its networks: refused before any password is typed, and audited. */
  const showNetworkRefusal = async (ctx: Context, details: Details) => {
    const app = await appOf(details);
    const sub = details.session?.accountId ?? null;
    await deps.audit.record({ event: 'access.network_denied', actor: sub, subject: sub, clientId: String(details.params.client_id), ip: ctx.ip });
    ctx.status = 403;
    render(ctx, 'network-denied', { uid: details.uid, csrf: csrfToken(ctx), appName: app?.name ?? String(details.params.client_id), contact: app?.contact, ip: ctx.ip }, { uiLocales: details.params.ui_locales as string | undefined });
  };

  const secondFactor = addSecondFactorRoutes(router, form, { ...deps, flow });

  router.get('/:uid', async (ctx) => {
    const details = await flow.load(ctx);
    if (details.prompt.name === NETWORK_PROMPT) return showNetworkRefusal(ctx, details);
    if (details.prompt.name === 'login') {
      if (details.prompt.reasons.length === 1 && details.prompt.reasons[0] === LEVEL_CONFIRM) return secondFactor.confirmLevel3(ctx, details);
      const sub = flow.secondFactorSubject(details);
      return sub ? secondFactor.show(ctx, details, sub) : showLogin(ctx, details);
    }
    if (details.prompt.name === ACCESS_PROMPT) return showRefusal(ctx, details);
    if (details.prompt.name !== 'consent') throw errors.badRequest();
    const missing = await noticeScopes(details);
    if (!missing.length) return flow.finish(ctx, await grantScopes(details));
    const app = await appOf(details);
    render(ctx, 'notice', {
      uid: details.uid,
      appName: app?.name ?? String(details.params.client_id),
      agency: app?.agency,
      demo: app?.demo ?? false,
      scopes: missing,
      csrf: csrfToken(ctx),
    }, { uiLocales: details.params.ui_locales as string | undefined });
  });

  router.post('/:uid/login', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    if (details.prompt.name !== 'login') throw errors.sessionExpired();
    const username = typeof body.username === 'string' ? body.username.slice(0, 256) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    const clientId = String(details.params.client_id);
    let account;
    try {
      const knownDevices = knownDevice.get(ctx) ?? [];
      const result = await deps.login.withPassword({ login: username, password, ip: ctx.ip, clientId, knownDevices });
      account = result.account;
      // This browser is now known for this person: it keeps a guessing budget of its own (OWASP, blocking brute force).
      knownDevice.set(ctx, [result.device, ...knownDevices.filter((d) => d.person !== result.device.person)].slice(0, KNOWN_DEVICES_KEPT), KNOWN_DEVICE_MAX_AGE_MS);
    } catch (err) {
      if (err instanceof AppError && (err.code.startsWith('login.') || err.code === 'error.account_disabled')) {
        return showLogin(ctx, details, { error: err, username });
      }
      throw err;
    }
    const passwordAt = Math.floor(deps.clock.now().getTime() / 1000);
    if ((await levelForRequest(deps.clients, clientId, details.params.acr_values)) >= 2) {
      await flow.saveState(details, { passwordFor: account.sub, passwordAt });
      return flow.next(ctx, details);
    }
    // A level-1 app: only a second-factor requirement of the person's agency (or all staff) asks for more.
    // The requirement is in memory; second factors are read only when one applies (the sign-in path is hot).
    const requirement = deps.enrolment.due(account, deps.clock.now());
    // A passkey satisfies the requirement as well as an authenticator app.
    const hasFactor = async () => (await deps.mfa.factors(account.sub)).totp || (await deps.webauthn.count(account.sub)) > 0;
    const due = requirement && !(await hasFactor()) ? requirement : undefined;
    if (!due) return flow.finish(ctx, { login: { accountId: account.sub, acr: acrOf(1), amr: amrFor(1), remember: true, ts: passwordAt } });
    await flow.saveState(details, { passwordFor: account.sub, passwordAt, enrolment: due.stage, deadline: due.deadline.toISOString() });
    flow.next(ctx, details);
  });

  router.post('/:uid/notice', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    if (details.prompt.name !== 'consent') throw errors.sessionExpired();
    const decision = { sub: details.session!.accountId, clientId: String(details.params.client_id), scopes: await noticeScopes(details), ip: ctx.ip };
    if (body.decision !== 'accept') {
      await deps.consent.deny(decision);
      return flow.finish(ctx, { error: 'access_denied', error_description: 'End-User declined to share the requested data' });
    }
    await deps.consent.grant(decision);
    await flow.finish(ctx, await grantScopes(details));
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
