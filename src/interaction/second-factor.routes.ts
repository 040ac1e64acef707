import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { errors } from '../http/errors.ts';
import { csrfToken } from '../http/csrf.ts';
import { requestLang } from '../http/render.ts';
import { translator, type MessageKey } from '../i18n/index.ts';
import { acrOf, amrFor } from '../levels/levels.ts';
import { levelForRequest } from '../levels/level-check.ts';
import type { Details, Flow } from './flow.ts';
import type { InteractionDeps } from './deps.ts';
import { readForm } from '../http/form-fields.ts';
import { codeForm, choiceForm, passkeyForm, proofForm } from './forms.ts';
import { deviceOf } from './known-device.ts';
import { totpSetupView } from '../mfa/totp-setup.ts';

const FAILURE_MESSAGES: Record<'invalid' | 'replayed' | 'throttled', MessageKey> = {
  invalid: 'mfa.invalid',
  replayed: 'mfa.replayed',
  throttled: 'mfa.throttled',
};
const FAILURE_STATUS = { invalid: 401, replayed: 401, throttled: 429 } as const;

/**
 * The second-factor step: enter a code (TOTP or a recovery code), or, for someone without a second factor, enrol
 * one right here and continue to the app (enrolment on demand). The password is never asked again on a step-up.
 */
export const addSecondFactorRoutes = (router: Router, form: Middleware, deps: InteractionDeps & { flow: Flow }) => {
  const { flow, mfa, webauthn, render } = deps;

  /** Whether the person has any second factor: then enrolment here is closed (a password alone must not add one). */
  const hasFactor = (sub: string) => deps.factors.hasAny(sub);

  /** A WebAuthn ceremony offered on the page: its options go into the page, its challenge onto the interaction. */
  const offer = async (details: Details, options: { challenge: string }) => {
    await flow.saveState(details, { webauthnChallenge: options.challenge });
    return JSON.stringify(options);
  };

  /** The response the page's script put in the form, and the one-time challenge it answers. */
  const ceremony = async (details: Details, body: Record<string, unknown>) => {
    const challenge = flow.state(details).webauthnChallenge;
    await flow.saveState(details, { webauthnChallenge: undefined });
    let response: unknown;
    try {
      response = JSON.parse(readForm(passkeyForm, body).response);
    } catch {
      response = undefined;
    }
    return { challenge, response };
  };

  const view = (ctx: Context, details: Details, name: string, data: Record<string, unknown>) =>
    render(ctx, name, { uid: details.uid, csrf: csrfToken(ctx), ...data }, { uiLocales: details.params.ui_locales as string | undefined });

  const appName = async (details: Details) => (await deps.clients.find(String(details.params.client_id)))?.name ?? String(details.params.client_id);

  const message = (ctx: Context, details: Details, key: MessageKey) => translator(requestLang(ctx, details.params.ui_locales as string | undefined))(key);

  const subjectOf = (details: Details): string => {
    const sub = flow.secondFactorSubject(details);
    if (!sub) throw errors.sessionExpired();
    return sub;
  };

  const deadlineText = (ctx: Context, details: Details) => {
    const deadline = flow.state(details).deadline;
    return deadline ? deps.render.formats(ctx, details.params.ui_locales as string | undefined).day(new Date(deadline)) : undefined;
  };

  /** Where an attempt comes from: the audit trail's address and app, and this browser's own budget when it is known. */
  const contextOf = async (ctx: Context, details: Details, sub: string) => ({ ip: ctx.ip, clientId: String(details.params.client_id), device: await deviceOf(ctx, deps.accounts, sub) });

  /** Whether this sign-in still owes the proof a first second factor needs (enrolment code, issue 8 §4). */
  const owesProof = (details: Details, sub: string) => deps.enrolmentProof.required && flow.state(details).enrolmentProvenFor !== sub;

  /** Asks for the enrolment code: in e-mail mode one is sent first (at most once a minute). */
  const showProof = async (ctx: Context, details: Details, sub: string, extra: { error?: string; status?: number; resent?: boolean } = {}) => {
    const account = await deps.accounts.find(sub);
    if (!account) throw errors.sessionExpired();
    const context = await contextOf(ctx, details, sub);
    const sent = deps.enrolmentProof.mode === 'email' && !extra.error ? await deps.enrolmentProof.send(account, context) : undefined;
    if (extra.status) ctx.status = extra.status;
    view(ctx, details, 'enrol-proof', {
      appName: await appName(details),
      mode: deps.enrolmentProof.mode,
      sentTo: sent && 'sentTo' in sent ? sent.sentTo : undefined,
      noEmail: !!sent && 'problem' in sent,
      resent: extra.resent,
      error: extra.error,
    });
  };

  const showEnrolment = async (ctx: Context, details: Details, sub: string, error?: string) => {
    if (owesProof(details, sub)) return showProof(ctx, details, sub);
    const account = await deps.accounts.find(sub);
    const setup = await totpSetupView((await mfa.pendingTotp(sub)) ?? (await mfa.beginTotp(sub, account?.username ?? sub)));
    if (error) ctx.status = 401;
    const requiredSince = flow.state(details).enrolment === 'required' ? deadlineText(ctx, details) : undefined;
    const webauthnOptions = await offer(details, await webauthn.registrationOptions(sub, account?.username ?? sub, account?.profile.name ?? sub));
    view(ctx, details, 'enrol-totp', { appName: await appName(details), ...setup, error, requiredSince, webauthnOptions });
  };

  /** The recovery codes, shown once: the page names the account and the time, for the printed or downloaded sheet. */
  const showCodes = async (ctx: Context, details: Details, sub: string, codes: string[]) =>
    view(ctx, details, 'recovery-codes', { codes, account: (await deps.accounts.find(sub))?.username, createdAt: deps.clock.now() });

  /** The password time of this sign-in: verified here, or, on a step-up, the SSO session's (a step-up keeps it). */
  const passwordTime = async (details: Details): Promise<number | undefined> =>
    flow.state(details).passwordAt ?? (details.session?.uid ? (await deps.provider.Session.findByUid(details.session.uid))?.loginTs : undefined);

  /** Ends a sign-in whose second factor was just proven, at the level the request needs (at least 2). */
  const finishLevel2 = async (ctx: Context, details: Details, sub: string, factor: 'otp' | 'hwk' = 'otp') => {
    const level = Math.max(2, await levelForRequest(deps.clients, String(details.params.client_id), details.params));
    const ts = await passwordTime(details);
    await flow.finishSignIn(ctx, { accountId: sub, acr: acrOf(level), amr: amrFor(level, factor), remember: true, ...(ts ? { ts } : {}) });
  };

  /** The code form, offering the person's passkeys too when they have any. */
  const showSecondFactor = async (ctx: Context, details: Details, sub: string, extra: { recovery?: boolean; error?: string } = {}) => {
    const webauthnOptions = (await webauthn.count(sub)) > 0 ? await offer(details, await webauthn.authenticationOptions(sub)) : undefined;
    const totp = (await mfa.factors(sub)).totp;
    view(ctx, details, 'second-factor', { appName: await appName(details), recovery: extra.recovery ?? ctx.query.method === 'recovery', error: extra.error, webauthnOptions, totp });
  };

  /** Renders the step for `sub`: the code form, or enrolment when they have no second factor yet. */
  const show = async (ctx: Context, details: Details, sub: string) => {
    const { enrolledFor, enrolledWith } = flow.state(details);
    if (enrolledFor === sub) return finishLevel2(ctx, details, sub, enrolledWith);
    if (!(await hasFactor(sub))) {
      if (flow.state(details).enrolment === 'reminder') return view(ctx, details, 'enrol-reminder', { deadline: deadlineText(ctx, details) });
      return showEnrolment(ctx, details, sub);
    }
    await showSecondFactor(ctx, details, sub);
  };

  router.post('/:uid/second-factor', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    const sub = subjectOf(details);
    const { code, method } = readForm(codeForm, body);
    const recovery = method === 'recovery';
    const context = await contextOf(ctx, details, sub);
    const outcome = recovery ? await mfa.verifyRecoveryCode(sub, code, context) : await mfa.verifyTotp(sub, code, context);
    if (outcome === 'ok') return finishLevel2(ctx, details, sub);
    ctx.status = FAILURE_STATUS[outcome];
    await showSecondFactor(ctx, details, sub, { recovery, error: message(ctx, details, FAILURE_MESSAGES[outcome]) });
  });

  router.post('/:uid/webauthn/authenticate', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    const sub = subjectOf(details);
    const { challenge, response } = await ceremony(details, body);
    const context = await contextOf(ctx, details, sub);
    const outcome = await webauthn.authenticate(sub, response as never, challenge, context);
    if (outcome === 'ok') return finishLevel2(ctx, details, sub, 'hwk');
    ctx.status = FAILURE_STATUS[outcome];
    await showSecondFactor(ctx, details, sub, { error: message(ctx, details, outcome === 'throttled' ? FAILURE_MESSAGES.throttled : 'webauthn.failed') });
  });

  router.post('/:uid/webauthn/register', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    const sub = subjectOf(details);
    if ((await hasFactor(sub)) || owesProof(details, sub)) throw errors.badRequest();
    const { challenge, response } = await ceremony(details, body);
    const context = await contextOf(ctx, details, sub);
    const name = readForm(passkeyForm, body).name.trim() || message(ctx, details, 'webauthn.default_name');
    if (!(await webauthn.register(sub, response as never, challenge, name, context))) {
      return showEnrolment(ctx, details, sub, message(ctx, details, 'webauthn.failed'));
    }
    // The recovery codes are shown once, on this response; continuing finishes the sign-in at level 2.
    const codes = await mfa.regenerateRecoveryCodes(sub, context);
    await flow.saveState(details, { enrolledFor: sub, enrolledWith: 'hwk' });
    await showCodes(ctx, details, sub, codes);
  });

  router.post('/:uid/enrol', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    const sub = subjectOf(details);
    // Enrolment here is only for someone without a second factor (otherwise a password alone could replace it), and
    // only once the enrolment code was shown where one is required.
    if ((await hasFactor(sub)) || owesProof(details, sub)) throw errors.badRequest();
    const { code } = readForm(codeForm, body);
    const enrolled = await mfa.confirmTotp(sub, code, await contextOf(ctx, details, sub));
    if (!enrolled) return showEnrolment(ctx, details, sub, message(ctx, details, 'mfa.invalid'));
    // The codes are shown once, on this response; continuing finishes the sign-in at level 2.
    await flow.saveState(details, { enrolledFor: sub });
    await showCodes(ctx, details, sub, enrolled.recoveryCodes);
  });

  // The enrolment code: checked (and used up), or, on request, sent again.
  router.post('/:uid/enrol-proof', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    const sub = subjectOf(details);
    if (!owesProof(details, sub) || (await hasFactor(sub))) throw errors.sessionExpired();
    const proof = readForm(proofForm, body);
    if (proof.resend) return showProof(ctx, details, sub, { resent: true });
    const account = await deps.accounts.find(sub);
    if (!account) throw errors.sessionExpired();
    const outcome = await deps.enrolmentProof.verify(account, proof.code, await contextOf(ctx, details, sub));
    if (outcome !== 'ok') return showProof(ctx, details, sub, { error: message(ctx, details, FAILURE_MESSAGES[outcome]), status: FAILURE_STATUS[outcome] });
    await flow.saveState(details, { enrolmentProvenFor: sub });
    await showEnrolment(ctx, details, sub);
  });

  // During the grace period: set up now, or postpone and continue at level 1 (audited).
  router.post('/:uid/remind', form, async (ctx) => {
    const { details, body } = await flow.loadForm(ctx);
    const sub = subjectOf(details);
    const { enrolment, deadline } = flow.state(details);
    if (enrolment !== 'reminder') throw errors.sessionExpired();
    if (readForm(choiceForm, body).choice === 'now') {
      await flow.saveState(details, { enrolment: 'now' });
      return flow.next(ctx, details);
    }
    await deps.audit.record({ event: 'mfa.enrolment_postponed', actor: sub, subject: sub, clientId: String(details.params.client_id), ip: ctx.ip, details: { deadline: deadline ?? '' } });
    const ts = flow.state(details).passwordAt;
    await flow.finishSignIn(ctx, { accountId: sub, acr: acrOf(1), amr: amrFor(1), remember: true, ...(ts ? { ts } : {}) });
  });

  router.post('/:uid/continue', form, async (ctx) => {
    const { details } = await flow.loadForm(ctx);
    const sub = subjectOf(details);
    const { enrolledFor, enrolledWith } = flow.state(details);
    if (enrolledFor !== sub) throw errors.sessionExpired();
    await finishLevel2(ctx, details, sub, enrolledWith);
  });

  /**
   * Level 3 for a session whose two factors are recent: nothing to ask, only the session's level to record (the
   * policy's check decided; the person is not shown a page).
   */
  const confirmLevel3 = async (ctx: Context, details: Details) => {
    const sub = details.session?.accountId;
    if (!sub) throw errors.sessionExpired();
    await finishLevel2(ctx, details, sub);
  };

  return { show, confirmLevel3 };
};

/** What the step table uses of the second-factor step. */
export type SecondFactorStep = ReturnType<typeof addSecondFactorRoutes>;
