import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../http/errors.ts';
import { refusalMessage } from '../../http/refusal.ts';
import type { ZoneUser } from '../../zones/zone.ts';
import { isReviewer, type Actor } from '../app-policy.ts';
import { ENVIRONMENTS } from '../redirect-policy.ts';
import { blankForm, byField, CHOSEN_SCOPES, formFromBody, formFromRegistration, placeProblems, schemaInput, type Problem, type RegistrationForm } from '../registration-form.ts';
import { SIGNING_ALGS } from '../../oidc/signing-algs.ts';
import { AUTH_METHODS, CLIENT_TYPES, fieldErrors, GRANT_TYPES, KINDS, type Registration, type registrationSchema } from '../registration.schema.ts';
import { appPage, BASE, editable, nameOf, type DeveloperShared, type Found } from './shared.ts';

/** Adds the registration form: registering a new app, editing its draft, and proposing a change to a live app. */
export const addFormRoutes = (router: Router, shared: DeveloperShared, schema: ReturnType<typeof registrationSchema>) => {
  const { render, apps, form, actor, t, posted, seeOther, ownApp } = shared;
  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;

  const showForm = (ctx: Context, view: { form: RegistrationForm; action: string; title: string; note?: string; agencyEditable: boolean; problems?: Problem[]; cancel: string; submit: string }) => {
    if (view.problems?.length) ctx.status = 400;
    render(ctx, 'developer/form', {
      ...view,
      problems: view.problems ?? [],
      errors: byField(view.problems ?? []),
      choices: { kind: KINDS, environment: ENVIRONMENTS, level: ['1', '2', '3'], client_type: CLIENT_TYPES, token_endpoint_auth_method: AUTH_METHODS, id_token_signed_response_alg: SIGNING_ALGS },
      chosenScopes: CHOSEN_SCOPES,
      grantTypes: GRANT_TYPES,
    });
  };

  /** Validates a posted form: the registration, or the problems to show at its fields. */
  const validate = (ctx: Context, posted: RegistrationForm): { registration: Registration } | { problems: Problem[] } => {
    const { input, scopeAt } = schemaInput(posted);
    const parsed = schema.safeParse(input);
    if (parsed.success) return { registration: parsed.data };
    return { problems: placeProblems(fieldErrors(parsed.error), posted, scopeAt, t(ctx)) };
  };

  /** A refusal by the service (its rules beyond the form, e.g. the agency or the app's state) shown atop the form. */
  const serviceProblem = (ctx: Context, err: unknown): Problem[] => {
    return [{ field: 'form', label: '', message: refusalMessage(ctx, err) }];
  };

  // --- registering ---

  /** Someone the directory places in no agency has nothing to register for (the form's agency would be blank). */
  const requireAgency = (who: Actor) => {
    if (!who.agency && !isReviewer(who)) throw new AppError('developer.no_agency', 403);
  };

  const newForm = (ctx: Context, who: Actor) => ({
    action: `${BASE}/baru`,
    title: t(ctx)('developer.form.new_title'),
    agencyEditable: isReviewer(who),
    cancel: BASE,
    submit: t(ctx)('developer.form.save_new'),
  });

  router.get('/baru', async (ctx) => {
    const who = actor(ctx);
    requireAgency(who);
    showForm(ctx, { ...newForm(ctx, who), form: blankForm(who.agency ?? '', userOf(ctx)) });
  });

  router.post('/baru', form, async (ctx) => {
    const body = posted(ctx);
    const who = actor(ctx);
    requireAgency(who);
    const filled = formFromBody(body, isReviewer(who) ? undefined : who.agency);
    const result = validate(ctx, filled);
    if ('problems' in result) return showForm(ctx, { ...newForm(ctx, who), form: filled, problems: result.problems });
    let clientId: string;
    try {
      clientId = await apps.createDraft(who, result.registration);
    } catch (err) {
      return showForm(ctx, { ...newForm(ctx, who), form: filled, problems: serviceProblem(ctx, err) });
    }
    seeOther(ctx, `${appPage(clientId)}?done=created`);
  });

  // --- editing, or proposing a change ---

  const editForm = (ctx: Context, found: Found) => {
    const tr = t(ctx);
    const proposing = !found.open;
    return {
      action: `${appPage(found.app.clientId)}/ubah`,
      title: tr(proposing ? 'developer.form.propose_title' : 'developer.form.edit_title', { name: nameOf(found) }),
      ...(proposing || found.live ? { note: tr('developer.form.propose_note') } : {}),
      agencyEditable: false,
      cancel: appPage(found.app.clientId),
      submit: tr('developer.form.save'),
    };
  };

  /** The app, if its registration can be edited now (a draft, changes requested, or a live app without a change open). */
  const editableApp = async (ctx: Context, who: Actor) => {
    const found = await ownApp(ctx, who);
    if (!editable(found)) throw new AppError('review.error.state', 409);
    return found;
  };

  router.get('/aplikasi/:clientId/ubah', async (ctx) => {
    const found = await editableApp(ctx, actor(ctx));
    const current = (found.open ?? found.live)!;
    showForm(ctx, { ...editForm(ctx, found), form: formFromRegistration(current.registration) });
  });

  router.post('/aplikasi/:clientId/ubah', form, async (ctx) => {
    const body = posted(ctx);
    const who = actor(ctx);
    const found = await editableApp(ctx, who);
    const filled = formFromBody(body, found.app.agency);
    const result = validate(ctx, filled);
    if ('problems' in result) return showForm(ctx, { ...editForm(ctx, found), form: filled, problems: result.problems });
    try {
      await apps.saveDraft(who, found.app.clientId, result.registration);
    } catch (err) {
      return showForm(ctx, { ...editForm(ctx, found), form: filled, problems: serviceProblem(ctx, err) });
    }
    seeOther(ctx, `${appPage(found.app.clientId)}?done=saved`);
  });
};
