import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { AppError } from '../http/errors.ts';
import { refusalMessage } from '../http/refusal.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { requestLang } from '../http/render.ts';
import { dateTimeFormatter } from '../i18n/dates.ts';
import { translator, type MessageKey } from '../i18n/index.ts';
import { ZONES } from '../zones/zones.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import type { Clock } from '../shared/clock.ts';
import { actorOf } from './actor.ts';
import type { VersionState } from './apps.repo.ts';
import { MAX_OVERLAP_HOURS, type AppsService } from './apps.service.ts';
import { isReviewer, RETIRABLE, type Actor } from './app-policy.ts';
import { ENVIRONMENTS } from './redirect-policy.ts';
import { blankForm, byField, CHOSEN_SCOPES, formFromBody, formFromRegistration, placeProblems, schemaInput, text, type Problem, type RegistrationForm } from './registration-form.ts';
import { AUTH_METHODS, CLIENT_TYPES, fieldErrors, GRANT_TYPES, isClientId, KINDS, registrationSchema, usesSecret, type Registration } from './registration.schema.ts';

const BASE = ZONES.developer.base;
const appPage = (clientId: string) => `${BASE}/aplikasi/${encodeURIComponent(clientId)}`;
const DEFAULT_OVERLAP_HOURS = 24;
/** History entries written by Diskominfo's decisions, for naming the actor when only their id is known. */
const REVIEW_ACTIONS = new Set(['approved', 'rejected', 'changes_requested', 'suspended', 'reinstated']);
const EVENTS = new Set(['created', 'updated', 'change_started', 'submitted', 'approved', 'rejected', 'changes_requested', 'suspended', 'reinstated', 'retired', 'secret_rotated']);

/** What a redirect back to an app may announce (`?done=`). */
const DONE = new Map<string, MessageKey>([
  ['created', 'developer.done.created'],
  ['saved', 'developer.done.saved'],
  ['submitted', 'developer.done.submitted'],
  ['retired', 'developer.done.retired'],
]);

/**
 * The developer portal (level 2, holders of the developer role): the agency's apps, registering one through a form
 * validated by the registration schema, its detail and history, submitting it for review, creating and rotating its
 * client secret, proposing a change and retiring it. The lifecycle's rules are the apps service's; this file parses
 * forms and renders. Only the person's own agency's apps exist here: any other id is a 404.
 */
export const createDeveloperRoutes = (deps: ZoneRouterDeps & {
  apps: AppsService;
  domains: string[];
  clock: Clock;
  /** Names the people in an app's history; without it, they are named by role. */
  accounts?: { find(sub: string): Promise<{ profile: { name: string } } | undefined> };
}) => {
  const { render, apps } = deps;
  const schema = registrationSchema(deps.domains);
  const router = zoneRouter(deps, { back: BASE });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });
  const now = () => deps.clock.now().getTime();

  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;
  const actor = (ctx: Context) => actorOf(ctx, deps.roles);
  const t = (ctx: Context) => translator(requestLang(ctx));
  const clientIdOf = (ctx: Context) => String(ctx.params.clientId ?? '');

  /** The fields of a form post, once its CSRF token is checked. */
  const posted = (ctx: Context): Record<string, unknown> => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    verifyCsrf(ctx, body._csrf);
    return body;
  };

  const seeOther = (ctx: Context, url: string) => {
    ctx.status = 303;
    ctx.redirect(url);
  };

  /**
   * An app of the person's agency (or one they registered), else a 404 that says nothing about whether it exists. The
   * service also lets reviewers and auditors see every app; they do that in the admin console, not here.
   */
  const ownApp = async (ctx: Context, who: Actor) => {
    const clientId = clientIdOf(ctx);
    if (!isClientId(clientId)) throw new AppError('review.error.not_found', 404);
    const found = await apps.detail(who, clientId);
    if (found.app.agency !== who.agency && found.app.ownerSub !== who.sub) throw new AppError('review.error.not_found', 404);
    return found;
  };
  type Found = Awaited<ReturnType<typeof ownApp>>;

  /** The version a person reads as "the app": the one being worked on, else the live one. */
  const nameOf = (found: Pick<Found, 'app' | 'open' | 'live'>) => (found.open ?? found.live)?.registration.name ?? found.app.clientId;
  // A retired app keeps whatever version was open when it retired; it is history now, not something to edit or submit.
  const editable = (found: Found) =>
    found.mayEdit && found.app.status !== 'retired' && (found.open ? found.open.state !== 'submitted' : found.app.status === 'active');
  const secretsNow = (found: Found) => {
    const at = now();
    const working = found.secrets.filter((s) => !s.expiresAt || s.expiresAt.getTime() > at);
    const overlapEnds = working.flatMap((s) => (s.expiresAt ? [s.expiresAt] : [])).sort((a, b) => a.getTime() - b.getTime());
    return { working: working.length, current: working.some((s) => !s.expiresAt), previousUntil: overlapEnds.at(-1) };
  };
  const liveUsesSecret = (found: Found) => Boolean(found.live && usesSecret(found.live.registration.token_endpoint_auth_method));

  // --- the list ---

  router.get('/', async (ctx) => {
    const who = actor(ctx);
    const rows = await apps.listForAgency(who);
    const tr = t(ctx);
    render(ctx, 'developer/list', {
      agency: who.agency,
      date: dateTimeFormatter(requestLang(ctx)),
      apps: rows.map((found) => ({
        href: appPage(found.app.clientId),
        name: nameOf(found),
        clientId: found.app.clientId,
        status: found.app.status,
        statusLabel: tr(`developer.status.${found.app.status}`),
        change: found.live && found.open ? tr('developer.list.change_open', { state: tr(`developer.state.${found.open.state}`) }) : undefined,
        updatedAt: found.app.updatedAt,
      })),
    });
  });

  // --- registering and editing ---

  const showForm = (ctx: Context, view: { form: RegistrationForm; action: string; title: string; note?: string; agencyEditable: boolean; problems?: Problem[]; cancel: string; submit: string }) => {
    if (view.problems?.length) ctx.status = 400;
    render(ctx, 'developer/form', {
      ...view,
      problems: view.problems ?? [],
      errors: byField(view.problems ?? []),
      choices: { kind: KINDS, environment: ENVIRONMENTS, level: ['1', '2', '3'], client_type: CLIENT_TYPES, token_endpoint_auth_method: AUTH_METHODS },
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

  // --- the detail page ---

  /** The history as a person reads it: who acted is "you", the system, a named person, or Diskominfo's reviewer. */
  const history = async (ctx: Context, found: Found, who: Actor) => {
    const tr = t(ctx);
    const names = new Map<string, string | undefined>();
    const actorName = async (sub: string, action: string) => {
      if (sub === who.sub) return tr('developer.actor.you');
      if (sub === 'system') return tr('developer.actor.system');
      if (deps.accounts && !names.has(sub)) names.set(sub, (await deps.accounts.find(sub))?.profile.name);
      return names.get(sub) ?? tr(REVIEW_ACTIONS.has(action) ? 'developer.actor.reviewer' : 'developer.actor.other');
    };
    const events = [];
    for (const e of [...found.events].reverse()) {
      events.push({
        at: e.at,
        action: EVENTS.has(e.action) ? tr(`developer.event.${e.action}` as MessageKey) : e.action,
        version: e.version,
        actor: await actorName(e.actor, e.action),
        reason: e.reason,
      });
    }
    return events;
  };

  const showDetail = async (ctx: Context, found: Found, who: Actor, extra: { error?: string } = {}) => {
    const tr = t(ctx);
    const { app, open, live } = found;
    const done = typeof ctx.query.done === 'string' ? DONE.get(ctx.query.done) : undefined;
    if (extra.error) ctx.status = 400;
    const secrets = secretsNow(found);
    render(ctx, 'developer/detail', {
      app,
      name: nameOf(found),
      page: appPage(app.clientId),
      statusLabel: tr(`developer.status.${app.status}`),
      done: done && tr(done),
      error: extra.error,
      date: dateTimeFormatter(requestLang(ctx)),
      live,
      open: open && {
        version: open,
        stateLabel: tr(`developer.state.${open.state}` as `developer.state.${VersionState}`),
        // The reviewer's comment on the version sent back (its decision's reason); older comments are in the history.
        comment: open.state === 'changes_requested' ? open.decision?.reason : undefined,
      },
      history: await history(ctx, found, who),
      secrets,
      may: {
        edit: editable(found) && Boolean(open),
        propose: editable(found) && !open,
        submit: editable(found) && Boolean(open),
        createSecret: found.mayEdit && app.status === 'active' && liveUsesSecret(found) && !secrets.current,
        rotate: found.mayEdit && app.status === 'active' && liveUsesSecret(found) && secrets.current,
        retire: found.mayEdit && RETIRABLE.includes(app.status),
      },
      usesSecret: liveUsesSecret(found),
    });
  };

  router.get('/aplikasi/:clientId', async (ctx) => {
    const who = actor(ctx);
    await showDetail(ctx, await ownApp(ctx, who), who);
  });

  /** Runs an action posted from the detail page; a refusal of the service (400) is shown on the page. */
  const onDetail = async (ctx: Context, who: Actor, action: () => Promise<void>) => {
    try {
      await action();
    } catch (err) {
      await showDetail(ctx, await ownApp(ctx, who), who, { error: refusalMessage(ctx, err) });
    }
  };

  router.post('/aplikasi/:clientId/ajukan', form, async (ctx) => {
    posted(ctx);
    const who = actor(ctx);
    const found = await ownApp(ctx, who);
    if (!editable(found) || !found.open) throw new AppError('review.error.state', 409);
    await onDetail(ctx, who, async () => {
      await apps.submit(who, found.app.clientId);
      seeOther(ctx, `${appPage(found.app.clientId)}?done=submitted`);
    });
  });

  // --- client secrets: shown once, on the response to the post that made them ---

  const showSecret = (ctx: Context, found: Found, secret: string, overlapHours: number) => {
    render(ctx, 'developer/secret', {
      name: nameOf(found),
      clientId: found.app.clientId,
      secret,
      rotated: found.secrets.length > 0,
      oldUntil: overlapHours > 0 ? new Date(now() + overlapHours * 3600_000) : undefined,
      date: dateTimeFormatter(requestLang(ctx)),
      back: appPage(found.app.clientId),
    });
  };

  // The first secret, once approved; replacing one goes through the rotation's confirmation instead.
  router.post('/aplikasi/:clientId/rahasia', form, async (ctx) => {
    posted(ctx);
    const who = actor(ctx);
    const found = await ownApp(ctx, who);
    if (secretsNow(found).current) throw new AppError('review.error.state', 409);
    await onDetail(ctx, who, async () => showSecret(ctx, found, await apps.rotateSecret(who, found.app.clientId, 0), 0));
  });

  /** An app whose current secret may be replaced now. */
  const rotatableApp = async (ctx: Context, who: Actor) => {
    const found = await ownApp(ctx, who);
    if (!found.mayEdit) throw new AppError('review.error.forbidden', 403);
    if (found.app.status !== 'active' || !liveUsesSecret(found) || !secretsNow(found).current) throw new AppError('review.error.state', 409);
    return found;
  };

  /** Hours typed by the person: a whole number within the allowed overlap, else undefined. */
  const overlapOf = (value: unknown): number | undefined => {
    const raw = text(value, 10).trim();
    const hours = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
    return Number.isInteger(hours) && hours >= 0 && hours <= MAX_OVERLAP_HOURS ? hours : undefined;
  };

  const showRotate = (ctx: Context, found: Found, extra: { error?: string; hours?: string } = {}) => {
    if (extra.error) ctx.status = 400;
    render(ctx, 'developer/rotate', {
      name: nameOf(found),
      action: `${appPage(found.app.clientId)}/rahasia/ganti/konfirmasi`,
      hours: extra.hours ?? String(DEFAULT_OVERLAP_HOURS),
      max: MAX_OVERLAP_HOURS,
      days: MAX_OVERLAP_HOURS / 24,
      error: extra.error,
      cancel: appPage(found.app.clientId),
    });
  };

  router.get('/aplikasi/:clientId/rahasia/ganti', async (ctx) => {
    showRotate(ctx, await rotatableApp(ctx, actor(ctx)));
  });

  // The choice of overlap is a GET (nothing changes yet); the confirmation's form is the post that rotates.
  router.get('/aplikasi/:clientId/rahasia/ganti/konfirmasi', async (ctx) => {
    const found = await rotatableApp(ctx, actor(ctx));
    const hours = overlapOf(ctx.query.jam);
    if (hours === undefined) return showRotate(ctx, found, { error: t(ctx)('review.error.overlap', { max: MAX_OVERLAP_HOURS }), hours: text(ctx.query.jam, 10) });
    const tr = t(ctx);
    const until = dateTimeFormatter(requestLang(ctx))(new Date(now() + hours * 3600_000));
    render(ctx, 'developer/confirm', {
      title: tr('developer.rotate.confirm_title', { name: nameOf(found) }),
      lines: [tr('developer.rotate.what_new'), hours > 0 ? tr('developer.rotate.what_overlap', { hours, date: until }) : tr('developer.rotate.what_now')],
      action: `${appPage(found.app.clientId)}/rahasia/ganti`,
      hidden: { jam: String(hours) },
      submit: tr('developer.rotate.submit'),
      cancel: appPage(found.app.clientId),
    });
  });

  router.post('/aplikasi/:clientId/rahasia/ganti', form, async (ctx) => {
    const body = posted(ctx);
    const who = actor(ctx);
    const found = await rotatableApp(ctx, who);
    const hours = overlapOf(body.jam);
    if (hours === undefined) return showRotate(ctx, found, { error: t(ctx)('review.error.overlap', { max: MAX_OVERLAP_HOURS }), hours: text(body.jam, 10) });
    let secret: string;
    try {
      secret = await apps.rotateSecret(who, found.app.clientId, hours);
    } catch (err) {
      return showRotate(ctx, found, { error: refusalMessage(ctx, err), hours: String(hours) });
    }
    showSecret(ctx, found, secret, hours);
  });

  // --- retiring ---

  const retirableApp = async (ctx: Context, who: Actor) => {
    const found = await ownApp(ctx, who);
    if (!found.mayEdit) throw new AppError('review.error.forbidden', 403);
    if (!RETIRABLE.includes(found.app.status)) throw new AppError('review.error.state', 409);
    return found;
  };

  const showRetire = (ctx: Context, found: Found, extra: { error?: string; reason?: string } = {}) => {
    const tr = t(ctx);
    if (extra.error) ctx.status = 400;
    render(ctx, 'developer/confirm', {
      title: tr('developer.retire.title', { name: nameOf(found) }),
      lines: [tr('developer.retire.what_signin'), tr('developer.retire.what_tokens'), tr('developer.retire.what_final')],
      action: `${appPage(found.app.clientId)}/pensiunkan`,
      reason: { label: tr('developer.retire.reason'), help: tr('developer.retire.reason_help'), value: extra.reason ?? '', error: extra.error },
      submit: tr('developer.retire.submit'),
      cancel: appPage(found.app.clientId),
    });
  };

  router.get('/aplikasi/:clientId/pensiunkan', async (ctx) => {
    showRetire(ctx, await retirableApp(ctx, actor(ctx)));
  });

  router.post('/aplikasi/:clientId/pensiunkan', form, async (ctx) => {
    const body = posted(ctx);
    const who = actor(ctx);
    const found = await retirableApp(ctx, who);
    const reason = text(body.reason, 2000);
    try {
      await apps.control(who, found.app.clientId, 'retire', reason);
    } catch (err) {
      return showRetire(ctx, found, { error: refusalMessage(ctx, err), reason });
    }
    seeOther(ctx, `${appPage(found.app.clientId)}?done=retired`);
  });

  return router;
};
