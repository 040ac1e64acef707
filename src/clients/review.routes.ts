import { isCidr } from '../config/schema.ts';
import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { AppError } from '../http/errors.ts';
import { correctable, refusalMessage } from '../http/refusal.ts';
import { verifyCsrf } from '../http/csrf.ts';
import { requestLang } from '../http/render.ts';
import { dateTimeFormatter } from '../i18n/dates.ts';
import { translator, type MessageKey, type Translate } from '../i18n/index.ts';
import { id as dictionary } from '../i18n/messages.ts';
import type { ZoneUser } from '../zones/zone.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { actorOf } from './actor.ts';
import { exceptionUris, type AppsService, type ReviewInput } from './apps.service.ts';
import { APP_READERS, CONTROL, isReviewer, type ControlAction } from './app-policy.ts';
import type { AppStatus } from './apps.repo.ts';
import { diffRegistrations, type DiffField, type DiffValue } from './diff.ts';
import type { LiveVersion } from './live-app.ts';
import { isClientId, SCOPES } from './registration.schema.ts';

const BASE = '/admin/aplikasi';
const DAY_MS = 86_400_000;
const MAX_REASON = 2000;
const MAX_NETWORKS = 20;
const STATUSES: AppStatus[] = ['draft', 'submitted', 'changes_requested', 'rejected', 'active', 'suspended', 'retired'];
const OUTCOMES = ['approved', 'changes_requested', 'rejected'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** Live-app control: the page's path segment and the service's action. */
const CONTROLS: Record<ControlAction, string> = { suspend: 'tangguhkan', reinstate: 'pulihkan', retire: 'hentikan' };

/** What a redirect back to the detail page may announce (`?done=`). */
const DONE = new Map<string, MessageKey>([
  ['approved', 'reviewer.done.approved'],
  ['changes_requested', 'reviewer.done.changes_requested'],
  ['rejected', 'reviewer.done.rejected'],
  ['suspend', 'reviewer.done.suspend'],
  ['reinstate', 'reviewer.done.reinstate'],
  ['retire', 'reviewer.done.retire'],
]);


const pagePath = (clientId: string, action?: ControlAction) => `${BASE}/${encodeURIComponent(clientId)}${action ? `/${CONTROLS[action]}` : ''}`;

/** A malformed client id names no app. */
const clientIdOf = (ctx: Context): string => {
  const id = ctx.params.clientId;
  if (!isClientId(id)) throw new AppError('review.error.not_found', 404);
  return id;
};

/** One field of a form post as text (a repeated field counts as its last value). */
const field = (body: Record<string, unknown>, name: string, max = 200): string => {
  const value = body[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last.slice(0, max) : '';
};
const ticked = (body: Record<string, unknown>, name: string) => ['on', 'true', '1', 'yes'].includes(field(body, name).trim().toLowerCase());

/** What the reviewer entered in the decision form, to show again after an error. */
interface DecisionValues {
  version: string;
  /** When the version on the page was submitted (ISO-8601), carried into the service's conditional update. */
  submitted: string;
  outcome: string;
  reason: string;
  level: number;
  scopes: string[];
  accepted: string[];
  maxFactorAge: string;
  networks: string;
}

interface FormError {
  key: MessageKey;
  params?: Record<string, string | number>;
}

const defaultValues = (open: LiveVersion): DecisionValues => ({
  version: String(open.version),
  submitted: open.submittedAt?.toISOString() ?? '',
  outcome: '',
  reason: '',
  level: open.registration.level,
  scopes: open.registration.scopes.map((s) => s.scope),
  accepted: [],
  maxFactorAge: '',
  networks: '',
});

/**
 * Reads the decision form: the outcome, the reason, and for an approval the final level, the scopes ticked (openid
 * always), the exception URIs accepted (each checkbox carries its URI) and the level-3 settings. Only the shape is
 * checked here; the rules (reason length, scopes within the request, every exception accepted) are the service's.
 */
const readDecision = (body: Record<string, unknown>): { values: DecisionValues; input?: ReviewInput; error?: FormError } => {
  const accepted = Object.keys(body)
    .filter((name) => name.startsWith('accept_'))
    .flatMap((name) => (Array.isArray(body[name]) ? (body[name] as unknown[]) : [body[name]]))
    .filter((uri): uri is string => typeof uri === 'string' && uri.length > 0 && uri.length <= 2000);
  const levelText = field(body, 'level', 4).trim();
  const values: DecisionValues = {
    version: field(body, 'version', 12),
    submitted: field(body, 'submitted', 40),
    outcome: field(body, 'outcome', 40),
    reason: field(body, 'reason', MAX_REASON),
    level: ['1', '2', '3'].includes(levelText) ? Number(levelText) : 0,
    scopes: ['openid', ...SCOPES.filter((s) => s !== 'openid' && ticked(body, `scope_${s}`))],
    accepted,
    maxFactorAge: field(body, 'max_factor_age', 8).trim(),
    networks: field(body, 'networks', 4000),
  };
  const outcome = OUTCOMES.find((o) => o === values.outcome) as Outcome | undefined;
  if (!outcome) return { values, error: { key: 'reviewer.error.outcome' } };
  const seen = { version: Number(values.version), submittedAt: values.submitted };
  if (outcome !== 'approved') return { values, input: { outcome, reason: values.reason, seen } };
  if (!values.level) return { values, error: { key: 'apps.invalid.level' } };
  const networks = values.networks.split(/[\s,]+/).filter(Boolean);
  if ((values.maxFactorAge || networks.length) && values.level !== 3) return { values, error: { key: 'reviewer.error.level3_only' } };
  let maxFactorAgeMinutes: number | undefined;
  if (values.maxFactorAge) {
    maxFactorAgeMinutes = /^\d{1,2}$/.test(values.maxFactorAge) ? Number(values.maxFactorAge) : NaN;
    if (!(maxFactorAgeMinutes >= 5 && maxFactorAgeMinutes <= 60)) return { values, error: { key: 'reviewer.error.max_factor_age' } };
  }
  const bad = networks.find((n) => !isCidr(n));
  if (bad !== undefined) return { values, error: { key: 'reviewer.error.network', params: { value: bad.slice(0, 60) } } };
  if (networks.length > MAX_NETWORKS) return { values, error: { key: 'reviewer.error.networks_many', params: { max: MAX_NETWORKS } } };
  const level = values.level as 1 | 2 | 3;
  return {
    values,
    input: {
      outcome,
      reason: values.reason,
      seen,
      level,
      scopes: values.scopes,
      acceptedExceptions: accepted,
      ...(maxFactorAgeMinutes ? { maxFactorAgeMinutes } : {}),
      ...(networks.length ? { networks } : {}),
    },
  };
};

/** The label `prefix.value` when there is one, else the value itself: stored data never breaks a page. */
const labelOf = (t: Translate, prefix: string, value: unknown): string => {
  const key = `${prefix}.${String(value)}`;
  return Object.hasOwn(dictionary, key) ? t(key as MessageKey) : String(value);
};

/** A registration value as a page shows it: choices by their label, yes/no, a scope with its purpose. */
const displayValue = (t: Translate, name: DiffField, value: DiffValue | undefined, item?: string): string => {
  if (value === undefined) return name === 'scopes' && item ? item : '';
  switch (name) {
    case 'kind':
      return labelOf(t, 'apps.kind', value);
    case 'environment':
      return labelOf(t, 'apps.environment', value);
    case 'level':
      return labelOf(t, 'apps.level', value);
    case 'client_type':
      return labelOf(t, 'apps.client_type', value);
    case 'token_endpoint_auth_method':
      return labelOf(t, 'apps.auth_method', value);
    case 'grant_types':
      return labelOf(t, 'apps.grant_type', value);
    case 'outside_party':
      return t(value ? 'reviewer.yes' : 'reviewer.no');
    case 'scopes':
      return item ? `${item}: ${String(value)}` : String(value);
    default:
      return String(value);
  }
};

/** Days since `at`, whole days, never negative. */
const ageDays = (now: Date, at: Date) => Math.max(0, Math.floor((now.getTime() - at.getTime()) / DAY_MS));

type Found = Awaited<ReturnType<AppsService['detail']>>;

/** The version a page talks about: the one being reviewed or worked on, else the live one, else the latest. */
const currentVersion = (found: Pick<Found, 'latest' | 'live' | 'open'>) => found.open ?? found.live ?? found.latest;

/**
 * Diskominfo's side of the app lifecycle in the admin console (issue 4): the review queue, an app's registration with
 * what a change request changes and the redirect-policy verdicts, the decision form, and live-app control (suspend,
 * reinstate, retire) confirmed on a page that says what will happen. Reviewers and administrators act, auditors read.
 * The rules are the apps service's; deciding and controlling also want level 3 proven recently, as any sensitive change.
 */
export const createReviewRoutes = (deps: ZoneRouterDeps & { apps: AppsService; clock?: Clock }) => {
  const { render, apps, zone } = deps;
  const clock = deps.clock ?? systemClock;
  // The console admits agency administrators too; these pages are Diskominfo's (and the auditors').
  const router = zoneRouter(deps, { prefix: BASE, back: BASE, roles: APP_READERS, refusal: 'reviewer.forbidden' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });

  const t = (ctx: Context) => translator(requestLang(ctx));
  const userOf = (ctx: Context) => ctx.state.user as ZoneUser;
  const actorIn = (ctx: Context) => actorOf(ctx, deps.roles);
  const steppedUp = (ctx: Context, page: string) => zone.requireFresh(ctx, page);

  const posted = (ctx: Context): Record<string, unknown> => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    verifyCsrf(ctx, body._csrf);
    return body;
  };

  // ---- The queue ----------------------------------------------------------------------------------------------

  router.get('/', async (ctx) => {
    const actor = actorIn(ctx);
    const q = ctx.query;
    const status = typeof q.status === 'string' && (q.status === 'all' || STATUSES.includes(q.status as AppStatus)) ? q.status : 'awaiting';
    const agency = typeof q.agency === 'string' && /^[A-Z0-9_-]{2,40}$/.test(q.agency) ? q.agency : '';
    const olderText = typeof q.older_than === 'string' ? q.older_than.trim() : '';
    const olderThan = /^\d{1,4}$/.test(olderText) ? Number(olderText) : undefined;
    const sort = q.sort === 'newest' ? 'newest' : 'oldest';

    const all = await apps.queue(actor);
    const agencies = [...new Set(all.map((f) => f.app.agency))].sort();
    const listed = all.filter(
      (f) =>
        (!agency || f.app.agency === agency) &&
        (status === 'all' || (status === 'awaiting' ? f.versions.some((v) => v.state === 'submitted') : f.app.status === status)),
    );
    const now = clock.now();
    const rows = listed.flatMap((f) => {
      const version = currentVersion(f);
      if (!version) return [];
      const submittedAt = version.submittedAt ?? undefined;
      // "At least N days ago": N whole days (of 24 hours) have passed since it was sent.
      if (olderThan !== undefined && (!submittedAt || now.getTime() - submittedAt.getTime() < olderThan * DAY_MS)) return [];
      return [
        {
          clientId: f.app.clientId,
          href: pagePath(f.app.clientId),
          name: version.registration.name,
          agency: f.app.agency,
          kind: version.registration.kind,
          level: version.registration.level,
          status: f.app.status,
          request: f.open?.state === 'submitted' ? (f.live ? 'change' : 'first') : undefined,
          submittedAt,
          age: submittedAt ? ageDays(now, submittedAt) : undefined,
        },
      ];
    });
    const time = (row: (typeof rows)[number]) => row.submittedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    rows.sort((a, b) => (sort === 'oldest' ? time(a) - time(b) : time(b) - time(a)));
    render(ctx, 'review/queue', {
      rows,
      agencies,
      statuses: STATUSES,
      filter: { status, agency, olderThan: olderThan === undefined ? '' : String(olderThan), sort },
      readOnly: !isReviewer(actor),
      label: (prefix: string, value: unknown) => labelOf(t(ctx), prefix, value),
      age: (days: number) => (days ? t(ctx)('reviewer.age_days', { days }) : t(ctx)('reviewer.age_today')),
      date: dateTimeFormatter(requestLang(ctx)),
    });
  });

  // ---- An app -------------------------------------------------------------------------------------------------

  /** The detail page, with the decision form's values and error when a decision was refused. */
  const showDetail = async (ctx: Context, clientId: string, decision?: { values: DecisionValues; error: string; status: number }) => {
    const actor = actorIn(ctx);
    const tr = t(ctx);
    const found = await apps.detail(actor, clientId);
    const { app, live, open } = found;
    const version = currentVersion(found);
    if (!version) throw new AppError('review.error.not_found', 404);
    const waiting = open?.state === 'submitted' ? open : undefined;
    const reviewer = isReviewer(actor);
    const fresh = userOf(ctx).fresh;
    const cannotDecide: MessageKey | undefined = !waiting ? undefined : !reviewer ? 'reviewer.cannot.read_only' : !found.mayReview ? 'review.error.own_app' : undefined;
    const registration = version.registration;
    const explain = (v: { verdict: string; reason?: string }) => (v.reason ? tr(v.reason as MessageKey) : '');
    const done = typeof ctx.query.done === 'string' ? DONE.get(ctx.query.done) : undefined;
    if (decision) ctx.status = decision.status;
    render(ctx, 'review/detail', {
      app,
      title: registration.name,
      version,
      live,
      open,
      waiting,
      changeRequest: Boolean(live && open),
      diff: live && open ? diffRegistrations(live.registration, open.registration) : [],
      registration,
      redirects: registration.redirect_verdicts.map((v) => ({ ...v, explanation: explain(v) })),
      postLogout: registration.post_logout_verdicts.map((v) => ({ ...v, explanation: explain(v) })),
      exceptions: waiting ? exceptionUris(waiting.registration).map((uri) => ({ uri, explanation: explain([...waiting.registration.redirect_verdicts, ...waiting.registration.post_logout_verdicts].find((v) => v.uri === uri)!) })) : [],
      events: found.events,
      fresh,
      stepUpUrl: `/admin/masuk?fresh=1&next=${encodeURIComponent(pagePath(clientId))}`,
      cannotDecide,
      // Shown again after a refusal, the form decides on the version now on this page.
      values: decision ? { ...decision.values, ...(waiting ? { version: String(waiting.version), submitted: waiting.submittedAt?.toISOString() ?? '' } : {}) } : waiting && defaultValues(waiting),
      error: decision?.error,
      controls: reviewer ? (Object.keys(CONTROLS) as ControlAction[]).filter((a) => (CONTROL[a].from as readonly AppStatus[]).includes(app.status)).map((a) => ({ action: a, href: pagePath(clientId, a) })) : [],
      done: done && tr(done),
      show: (name: DiffField, value: DiffValue | undefined, item?: string) => displayValue(tr, name, value, item),
      label: (prefix: string, value: unknown) => labelOf(tr, prefix, value),
      who: (sub: string | null) => (!sub ? '' : sub === actor.sub ? tr('reviewer.you') : sub === 'system' ? tr('reviewer.system') : sub === app.ownerSub ? tr('reviewer.owner', { sub }) : sub),
      date: dateTimeFormatter(requestLang(ctx)),
      ageDays: (at: Date) => ageDays(clock.now(), at),
      age: (days: number) => (days ? tr('reviewer.age_days', { days }) : tr('reviewer.age_today')),
      path: pagePath(clientId),
    });
  };

  router.get('/:clientId', async (ctx) => showDetail(ctx, clientIdOf(ctx)));

  // The address a refused decision is shown at; opened again (the language switch, a reload) it is the app's page.
  router.get('/:clientId/keputusan', async (ctx) => {
    const lang = typeof ctx.query.lang === 'string' ? `?${new URLSearchParams({ lang: ctx.query.lang })}` : '';
    ctx.redirect(`${pagePath(clientIdOf(ctx))}${lang}`);
  });

  router.post('/:clientId/keputusan', form, async (ctx) => {
    const clientId = clientIdOf(ctx);
    const body = posted(ctx);
    const actor = actorIn(ctx);
    if (!isReviewer(actor)) throw new AppError('review.error.forbidden', 403);
    if (await steppedUp(ctx, pagePath(clientId))) return;
    const { values, input, error } = readDecision(body);
    const refuse = (e: FormError, status = 400) => showDetail(ctx, clientId, { values, error: t(ctx)(e.key, e.params), status });
    if (error || !input) return refuse(error ?? { key: 'reviewer.error.outcome' });
    try {
      await apps.review(actor, clientId, input);
    } catch (err) {
      const refusal = correctable(err);
      // The version changed under the reviewer (decided or resubmitted meanwhile): a conflict, shown with the page anew.
      return refuse({ key: refusal.code, params: refusal.params }, refusal.code === 'review.error.state' ? 409 : 400);
    }
    ctx.status = 303;
    ctx.redirect(`${pagePath(clientId)}?done=${input.outcome}`);
  });

  // ---- Live-app control, each confirmed on a page that says what will happen ------------------------------------

  const showConfirm = async (ctx: Context, clientId: string, action: ControlAction, extra: { reason?: string; error?: string } = {}) => {
    const actor = actorIn(ctx);
    const { app, live, open, versions } = await apps.detail(actor, clientId);
    const version = currentVersion({ latest: versions.at(-1), live, open });
    if (extra.error) ctx.status = 400;
    render(ctx, 'review/confirm', {
      app,
      name: version?.registration.name ?? app.clientId,
      action,
      post: pagePath(clientId, action),
      cancel: pagePath(clientId),
      reason: extra.reason ?? '',
      error: extra.error,
    });
  };

  /** Passes when this person may apply `action` to the app now; otherwise a 404, 403 or 409 page. */
  const controllable = async (ctx: Context, clientId: string, action: ControlAction) => {
    const actor = actorIn(ctx);
    const { app } = await apps.detail(actor, clientId);
    if (!CONTROL[action].may(actor, app)) throw new AppError('review.error.forbidden', 403);
    if (!(CONTROL[action].from as readonly AppStatus[]).includes(app.status)) throw new AppError('review.error.state', 409);
  };

  for (const action of Object.keys(CONTROLS) as ControlAction[]) {
    router.get(`/:clientId/${CONTROLS[action]}`, async (ctx) => {
      const clientId = clientIdOf(ctx);
      await controllable(ctx, clientId, action);
      if (await steppedUp(ctx, pagePath(clientId, action))) return;
      await showConfirm(ctx, clientId, action);
    });

    router.post(`/:clientId/${CONTROLS[action]}`, form, async (ctx) => {
      const clientId = clientIdOf(ctx);
      const body = posted(ctx);
      await controllable(ctx, clientId, action);
      if (await steppedUp(ctx, pagePath(clientId, action))) return;
      const reason = field(body, 'reason', MAX_REASON);
      try {
        await apps.control(actorIn(ctx), clientId, action, reason);
      } catch (err) {
        return showConfirm(ctx, clientId, action, { reason, error: refusalMessage(ctx, err) });
      }
      ctx.status = 303;
      ctx.redirect(`${pagePath(clientId)}?done=${action}`);
    });
  }

  // Anything else under this prefix (a mistyped action, a method the page does not take) is a clear 404 too.
  router.all('/{*rest}', () => {
    throw new AppError('review.error.not_found', 404);
  });

  return router;
};
