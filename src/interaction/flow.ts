import type { Context } from 'koa';
import { errors as oidcErrors, type InteractionResults } from 'oidc-provider';
import type Provider from 'oidc-provider';
import { errors } from '../http/errors.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { LEVEL_NOT_MET } from '../levels/level-check.ts';
import { refusalOf } from '../accounts/accounts.service.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** What this sign-in has proven so far, kept on the interaction (server-side, expires with it). */
export interface FlowState {
  /** The password was verified for this account in this interaction, at `passwordAt` (epoch seconds). */
  passwordFor?: string;
  passwordAt?: number;
  /** This account just enrolled a second factor here and is being shown its recovery codes. */
  enrolledFor?: string;
  /** Enrolment asked for by Diskominfo's requirement: a reminder (may be postponed), required, or chosen now. */
  enrolment?: 'reminder' | 'required' | 'now';
  /** The requirement's deadline (ISO date-time). */
  deadline?: string;
  /** The challenge of the WebAuthn ceremony offered on the current page; used once. */
  webauthnChallenge?: string;
  /** Which kind of second factor was just enrolled, for `amr`. */
  enrolledWith?: 'otp' | 'hwk';
  /** This account showed the proof, besides the password, that a first second factor needs (an enrolment code). */
  enrolmentProvenFor?: string;
}

/** Helpers every interaction route uses: load the interaction once, keep its state, end it. */
export const createFlow = (provider: Provider, accounts: AccountsService) => {
  const state = (details: Details): FlowState => ((details.result as { satuAkun?: FlowState } | undefined)?.satuAkun ?? {});

  /** The interaction of this browser, which must be the one in the URL; expired or foreign ones are refused. */
  const load = async (ctx: Context): Promise<Details> => {
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== ctx.params.uid) throw errors.sessionExpired();
      return details;
    } catch (err) {
      if (err instanceof oidcErrors.SessionNotFound) throw errors.sessionExpired();
      throw err;
    }
  };

  return {
    load,

    /** A form post to the interaction: loaded, with its body, after the CSRF token was checked. */
    async loadForm(ctx: Context): Promise<{ details: Details; body: Record<string, unknown> }> {
      const details = await load(ctx);
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      verifyCsrf(ctx, body._csrf);
      return { details, body };
    },

    state,

    async saveState(details: Details, update: FlowState): Promise<void> {
      details.result = { ...details.result, satuAkun: { ...state(details), ...update } };
      await details.persist();
    },

    /**
     * Whose second factor this step asks for: the account whose password was just verified here, or, on a step-up,
     * the account of the SSO session when the only reason for the prompt is a level the session has not reached.
     */
    secondFactorSubject(details: Details): string | undefined {
      const passwordFor = state(details).passwordFor;
      if (passwordFor) return passwordFor;
      const reasons = details.prompt.reasons;
      const stepUp = details.prompt.name === 'login' && reasons.length === 1 && reasons[0] === LEVEL_NOT_MET;
      return stepUp ? details.session?.accountId : undefined;
    },

    /** Ends the interaction and sends the browser back to the provider. */
    async finish(ctx: Context, result: InteractionResults): Promise<void> {
      const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
      ctx.status = 303;
      ctx.redirect(to);
    },

    /**
     * Ends a sign-in after a step that came later than the password (a second factor, a postponed enrolment): the
     * account may have been suspended or disabled meanwhile, and then the person is refused here, with no session.
     */
    async finishSignIn(ctx: Context, login: NonNullable<InteractionResults['login']>): Promise<void> {
      const account = await accounts.find(login.accountId);
      const refusal = account ? refusalOf(account) : undefined;
      if (refusal) throw refusal;
      await this.finish(ctx, { login });
    },

    /** Back to the interaction's page after a step that needs another one (303, so a reload does not resubmit). */
    next(ctx: Context, details: Details): void {
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}`);
    },
  };
};

export type Flow = ReturnType<typeof createFlow>;
