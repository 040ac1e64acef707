import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { AppError } from '../../http/errors.ts';
import { refusalMessage } from '../../http/refusal.ts';
import { verifyCsrf } from '../../http/csrf.ts';
import { requestLang } from '../../http/render.ts';
import { translator, type MessageKey } from '../../i18n/index.ts';
import { ZONES } from '../../zones/zones.ts';
import type { ZoneRouterDeps } from '../../zones/zone-router.ts';
import type { Clock } from '../../shared/clock.ts';
import { actorOf } from '../actor.ts';
import { personNames, type AccountProfiles } from '../../accounts/person-names.ts';
import type { VersionState } from '../apps.repo.ts';
import type { AppsService } from '../apps.service.ts';
import type { Actor } from '../app-policy.ts';
import { isClientId, usesSecret } from '../registration.schema.ts';

export const BASE = ZONES.developer.base;
/** The path of an app's detail page, where its actions start and end. */
export const appPage = (clientId: string) => `${BASE}/aplikasi/${encodeURIComponent(clientId)}`;
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

export type DeveloperDeps = ZoneRouterDeps & {
  apps: AppsService;
  domains: string[];
  clock: Clock;
  /** Names the people in an app's history; without it, they are named by role. */
  accounts?: AccountProfiles;
};

/** An app as the service details it: its versions, secrets and history, and whether the person may edit it. */
export type Found = Awaited<ReturnType<AppsService['detail']>>;

/** The version a person reads as "the app": the one being worked on, else the live one. */
export const nameOf = (found: Pick<Found, 'app' | 'open' | 'live'>) => (found.open ?? found.live)?.registration.name ?? found.app.clientId;

/** Whether the app's registration can be edited now (a draft, changes requested, or a live app without a change open). */
export const editable = (found: Found) => found.may.edit || found.may.propose;

/** Whether the live version authenticates with a client secret. */
export const liveUsesSecret = (found: Found) => Boolean(found.live && usesSecret(found.live.registration.token_endpoint_auth_method));

/** The helpers the portal's pages share: who is acting, reading a post, finding the person's app, the detail page. */
export const createDeveloperShared = (deps: DeveloperDeps) => {
  const { render, apps } = deps;
  const form = bodyParser({ enableTypes: ['form'], formLimit: '64kb' });
  const now = () => deps.clock.now().getTime();

  const actor = (ctx: Context) => actorOf(ctx);
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
  const ownApp = async (ctx: Context, who: Actor): Promise<Found> => {
    const clientId = clientIdOf(ctx);
    if (!isClientId(clientId)) throw new AppError('review.error.not_found', 404);
    const found = await apps.detail(who, clientId);
    if (found.app.agency !== who.agency && found.app.ownerSub !== who.sub) throw new AppError('review.error.not_found', 404);
    return found;
  };

  const secretsNow = (found: Found) => {
    const at = now();
    const working = found.secrets.filter((s) => !s.expiresAt || s.expiresAt.getTime() > at);
    const overlapEnds = working.flatMap((s) => (s.expiresAt ? [s.expiresAt] : [])).sort((a, b) => a.getTime() - b.getTime());
    return { working: working.length, current: working.some((s) => !s.expiresAt), previousUntil: overlapEnds.at(-1) };
  };

  /** The history as a person reads it: who acted is "you", the system, a named person, or Diskominfo's reviewer. */
  const history = async (ctx: Context, found: Found, who: Actor) => {
    const tr = t(ctx);
    // People by name and agency, never by their opaque id (issue 12 §4).
    const names = deps.accounts ? await personNames(deps.accounts, found.events.map((e) => e.actor)) : new Map<string, string>();
    const actorName = (sub: string, action: string) => {
      if (sub === who.sub) return tr('developer.actor.you');
      if (sub === 'system') return tr('developer.actor.system');
      return names.get(sub) ?? tr(REVIEW_ACTIONS.has(action) ? 'developer.actor.reviewer' : 'developer.actor.other');
    };
    const events = [];
    for (const e of [...found.events].reverse()) {
      events.push({
        at: e.at,
        action: EVENTS.has(e.action) ? tr(`developer.event.${e.action}` as MessageKey) : e.action,
        version: e.version,
        actor: actorName(e.actor, e.action),
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
        edit: found.may.edit,
        propose: found.may.propose,
        submit: found.may.submit,
        createSecret: found.may.rotateSecret && liveUsesSecret(found) && !secrets.current,
        rotate: found.may.rotateSecret && liveUsesSecret(found) && secrets.current,
        retire: found.may.retire,
      },
      usesSecret: liveUsesSecret(found),
    });
  };

  /** Runs an action posted from the detail page; a refusal of the service (400) is shown on the page. */
  const onDetail = async (ctx: Context, who: Actor, action: () => Promise<void>) => {
    try {
      await action();
    } catch (err) {
      await showDetail(ctx, await ownApp(ctx, who), who, { error: refusalMessage(ctx, err) });
    }
  };

  return { render, apps, form, now, actor, t, posted, seeOther, ownApp, secretsNow, showDetail, onDetail };
};

/** What each page's routes are given by `createDeveloperRoutes`. */
export type DeveloperShared = ReturnType<typeof createDeveloperShared>;
