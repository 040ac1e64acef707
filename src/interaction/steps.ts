import type { Context } from 'koa';
import { ACCESS_PROMPT } from '../access/access-check.ts';
import { NETWORK_PROMPT } from '../access/network-check.ts';
import type { Account } from '../accounts/accounts.repo.ts';
import { signInTime } from '../accounts/accounts.service.ts';
import { csrfToken } from '../http/csrf.ts';
import { AppError, errors } from '../http/errors.ts';
import { requestLang } from '../http/render.ts';
import { translator } from '../i18n/index.ts';
import { LEVEL_CONFIRM, levelForRequest } from '../levels/level-check.ts';
import { acrOf, amrFor } from '../levels/levels.ts';
import type { InteractionDeps } from './deps.ts';
import type { Details, Flow } from './flow.ts';
import type { SecondFactorStep } from './second-factor.routes.ts';

/** One step of the sign-in: when oidc-provider's prompt (and what this sign-in has proven) calls for it, and its page. */
interface Step {
  name: string;
  applies(details: Details): boolean;
  show(ctx: Context, details: Details): Promise<void>;
}

/**
 * The sign-in as a list of named steps (after node-oidc-provider's lib/actions/authorization/index.js): the first
 * step that applies to the interaction shows its page. Password → second factor, enrolment or step-up (with the
 * level-3 confirmation and the enrolment reminder) → access rule → first-time notice.
 */
export const createSteps = (deps: InteractionDeps, flow: Flow, secondFactor: SecondFactorStep) => {
  const { render } = deps;
  const uiLocalesOf = (details: Details) => details.params.ui_locales as string | undefined;
  const clientIdOf = (details: Details) => String(details.params.client_id);
  const appOf = async (details: Details) => deps.clients.find(clientIdOf(details));

  /** The password form, with a refusal of the login service when there was one. */
  const showLogin = async (ctx: Context, details: Details, extra: { error?: AppError; username?: string } = {}) => {
    const app = await appOf(details);
    const t = translator(requestLang(ctx, uiLocalesOf(details)));
    if (extra.error) ctx.status = extra.error.status;
    render(ctx, 'login', {
      uid: details.uid,
      appName: app?.name ?? clientIdOf(details),
      csrf: csrfToken(ctx),
      username: extra.username ?? (details.params.login_hint as string | undefined) ?? '',
      error: extra.error && t(extra.error.code, extra.error.params),
    }, { uiLocales: uiLocalesOf(details) });
  };

  /** Scopes asked for now that this person has never agreed to give this app. */
  const noticeScopes = async (details: Details) => {
    const asked = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    return deps.consent.missing(details.session!.accountId, clientIdOf(details), asked);
  };

  /** The grant oidc-provider asks for, with the scopes of this request. */
  const grantScopes = async (details: Details) => {
    const accountId = details.session!.accountId;
    const clientId = clientIdOf(details);
    const grant = details.grantId ? (await deps.provider.Grant.find(details.grantId))! : new deps.provider.Grant({ accountId, clientId });
    const scopes = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    return { consent: { grantId: await grant.save() } };
  };

  /** A refusal page (outside the app's access rule or its networks) naming the app and whom to ask; audited. */
  const refuse = async (ctx: Context, details: Details, view: 'access-denied' | 'network-denied') => {
    const app = await appOf(details);
    const sub = details.session?.accountId ?? null;
    const who = { actor: sub, subject: sub, clientId: clientIdOf(details), ip: ctx.ip };
    if (view === 'access-denied') await deps.audit.record({ event: 'access.denied', ...who, details: { rule: app?.access.kind ?? 'all' } });
    else await deps.audit.record({ event: 'access.network_denied', ...who });
    ctx.status = 403;
    const page = { uid: details.uid, csrf: csrfToken(ctx), appName: app?.name ?? clientIdOf(details), contact: app?.contact };
    render(ctx, view, view === 'access-denied' ? { ...page, agency: app?.agency } : { ...page, ip: ctx.ip }, { uiLocales: uiLocalesOf(details) });
  };

  /**
   * The first-time notice: what data the app will receive; finished at once when nothing new is asked. The regency's
   * own apps (first-party, issue 11 §6) skip the page, but what they receive is recorded (and audited) as for any
   * app, so the person sees it in the portal. Everything before this step (level, access rule) applied as usual.
   */
  const showNotice = async (ctx: Context, details: Details) => {
    const missing = await noticeScopes(details);
    if (!missing.length) return flow.finish(ctx, await grantScopes(details));
    const app = await appOf(details);
    if (app?.firstParty) {
      await deps.consent.grant({ sub: details.session!.accountId, clientId: clientIdOf(details), scopes: missing, ip: ctx.ip, firstParty: true });
      return flow.finish(ctx, await grantScopes(details));
    }
    render(ctx, 'notice', {
      uid: details.uid,
      appName: app?.name ?? clientIdOf(details),
      agency: app?.agency,
      demo: app?.demo ?? false,
      scopes: missing,
      csrf: csrfToken(ctx),
    }, { uiLocales: uiLocalesOf(details) });
  };

  const prompt = (details: Details, name: string) => details.prompt.name === name;
  const STEPS: Step[] = [
    // A level-3 app opened from outside its networks: refused before any password is typed.
    { name: 'network', applies: (d) => prompt(d, NETWORK_PROMPT), show: (ctx, d) => refuse(ctx, d, 'network-denied') },
    // Both factors are recent enough for level 3: nothing to ask, only the level to record.
    { name: 'level3-confirmation', applies: (d) => prompt(d, 'login') && d.prompt.reasons.length === 1 && d.prompt.reasons[0] === LEVEL_CONFIRM, show: (ctx, d) => secondFactor.confirmLevel3(ctx, d) },
    // The password is known (this sign-in, or the session on a step-up): the second factor, its enrolment, or the reminder.
    { name: 'second-factor', applies: (d) => prompt(d, 'login') && !!flow.secondFactorSubject(d), show: (ctx, d) => secondFactor.show(ctx, d, flow.secondFactorSubject(d)!) },
    { name: 'password', applies: (d) => prompt(d, 'login'), show: (ctx, d) => showLogin(ctx, d) },
    { name: 'access-rule', applies: (d) => prompt(d, ACCESS_PROMPT), show: (ctx, d) => refuse(ctx, d, 'access-denied') },
    { name: 'notice', applies: (d) => prompt(d, 'consent'), show: showNotice },
  ];

  return {
    showLogin,
    noticeScopes,
    grantScopes,

    /** Shows the page of the first step that applies. */
    async show(ctx: Context, details: Details): Promise<void> {
      const step = STEPS.find((s) => s.applies(details));
      if (!step) throw errors.badRequest();
      await step.show(ctx, details);
    },

    /**
     * After the password: a level-2 or higher request goes on to the second factor; a level-1 one asks for more only
     * when Diskominfo's enrolment requirement applies to someone without a second factor; otherwise the sign-in ends.
     */
    async afterPassword(ctx: Context, details: Details, account: Account): Promise<void> {
      const passwordAt = signInTime(account, deps.clock.now());
      if ((await levelForRequest(deps.clients, clientIdOf(details), details.params)) >= 2) {
        await flow.saveState(details, { passwordFor: account.sub, passwordAt });
        return flow.next(ctx, details);
      }
      // The requirement is in memory; second factors are read only when one applies (the sign-in path is hot).
      const requirement = deps.enrolment.due(account, deps.clock.now());
      const due = requirement && !(await deps.factors.hasAny(account.sub)) ? requirement : undefined;
      if (!due) return flow.finish(ctx, { login: { accountId: account.sub, acr: acrOf(1), amr: amrFor(1), remember: true, ts: passwordAt } });
      await flow.saveState(details, { passwordFor: account.sub, passwordAt, enrolment: due.stage, deadline: due.deadline.toISOString() });
      flow.next(ctx, details);
    },
  };
};
