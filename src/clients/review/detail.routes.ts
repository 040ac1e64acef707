import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../http/errors.ts';
import { correctable } from '../../http/refusal.ts';
import { requestLang } from '../../http/render.ts';
import { daysAgoFormatter } from '../../i18n/dates.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { CONTROL, isReviewer, type ControlAction } from '../app-policy.ts';
import type { AppStatus } from '../apps.repo.ts';
import { exceptionUris } from '../apps.service.ts';
import { diffRegistrations, type DiffField, type DiffValue } from '../diff.ts';
import { appRolesOf } from '../registration.schema.ts';
import { defaultValues, readDecision, type DecisionValues, type FormError } from './decision-form.ts';
import { ageDays, clientIdOf, CONTROLS, currentVersion, displayValue, field, labelOf, MAX_REASON, pagePath } from './helpers.ts';
import type { ReviewShared } from './shared.ts';
import { personNames } from '../../accounts/person-names.ts';

/** What a redirect back to the detail page may announce (`?done=`). */
const DONE = new Map<string, MessageKey>([
  ['approved', 'reviewer.done.approved'],
  ['changes_requested', 'reviewer.done.changes_requested'],
  ['rejected', 'reviewer.done.rejected'],
  ['suspend', 'reviewer.done.suspend'],
  ['reinstate', 'reviewer.done.reinstate'],
  ['retire', 'reviewer.done.retire'],
  ['first_party_set', 'reviewer.done.first_party_set'],
  ['first_party_cleared', 'reviewer.done.first_party_cleared'],
]);

/** Where a reviewer changes the first-party mark of a live app (issue 11 §6). */
const MARK = 'milik-pemkab';

/** An app's page (registration, change diff, redirect verdicts, history, control links) and its decision form. */
export const addDetailRoutes = (router: Router, { render, apps, accounts, clock, form, t, userOf, actorIn, steppedUp, posted }: ReviewShared) => {
  /**
   * The detail page, with the decision form's values and error when a decision was refused, or the first-party form's
   * reason and error when a change of the mark was.
   */
  const showDetail = async (ctx: Context, clientId: string, decision?: { values: DecisionValues; error: string; status: number }, mark?: { reason: string; error: string; status: number }) => {
    const actor = actorIn(ctx);
    const tr = t(ctx);
    const found = await apps.detail(actor, clientId);
    const { app, live, open } = found;
    const version = currentVersion(found);
    if (!version) throw new AppError('review.error.not_found', 404);
    const waiting = open?.state === 'submitted' ? open : undefined;
    const reviewer = isReviewer(actor);
    const fresh = userOf(ctx).fresh;
    const cannotDecide: MessageKey | undefined = !waiting ? undefined : !reviewer ? 'reviewer.cannot.read_only' : !found.may.decide ? 'review.error.own_app' : undefined;
    const registration = version.registration;
    const explain = (v: { verdict: string; reason?: string }) => (v.reason ? tr(v.reason as MessageKey) : '');
    const done = typeof ctx.query.done === 'string' ? DONE.get(ctx.query.done) : undefined;
    const names = await personNames(accounts, [...found.events.map((e) => e.actor), live?.decidedBy, app.ownerSub]);
    if (decision) ctx.status = decision.status;
    // Shown again after a refusal, the form decides on the version now on this page; after a conflict (409) the
    // first-party box shows the mark as the app has it now, so an untouched box keeps a mark changed meanwhile.
    const shownAgain = ({ values, status }: { values: DecisionValues; status: number }): DecisionValues => ({
      ...values,
      ...(waiting ? { version: String(waiting.version), submitted: waiting.submittedAt?.toISOString() ?? '' } : {}),
      ...(status === 409 ? { firstParty: app.firstParty, firstPartyShown: app.firstParty } : { firstPartyShown: values.firstPartyShown ?? app.firstParty }),
    });
    if (mark) ctx.status = mark.status;
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
      appRoles: appRolesOf(registration),
      redirects: registration.redirect_verdicts.map((v) => ({ ...v, explanation: explain(v) })),
      postLogout: registration.post_logout_verdicts.map((v) => ({ ...v, explanation: explain(v) })),
      exceptions: waiting ? exceptionUris(waiting.registration).map((uri) => ({ uri, explanation: explain([...waiting.registration.redirect_verdicts, ...waiting.registration.post_logout_verdicts].find((v) => v.uri === uri)!) })) : [],
      events: found.events,
      fresh,
      stepUpUrl: `/admin/masuk?fresh=1&next=${encodeURIComponent(pagePath(clientId))}`,
      cannotDecide,
      values: decision ? shownAgain(decision) : waiting && defaultValues(waiting, app.firstParty),
      error: decision?.error,
      // The first-party mark of a live app: shown to every reader, changed by a reviewer who may decide on it.
      firstParty: { now: app.firstParty, may: found.may.markFirstParty, path: `${pagePath(clientId)}/${MARK}`, reason: mark?.reason ?? '', error: mark?.error },
      controls: reviewer ? (Object.keys(CONTROLS) as ControlAction[]).filter((a) => (CONTROL[a].from as readonly AppStatus[]).includes(app.status)).map((a) => ({ action: a, href: pagePath(clientId, a) })) : [],
      done: done && tr(done),
      show: (name: DiffField, value: DiffValue | undefined, item?: string) => displayValue(tr, name, value, item),
      label: (prefix: string, value: unknown) => labelOf(tr, prefix, value),
      // People by name and agency, never by their opaque id (issue 12 §4).
      who: (sub: string | null) => {
        if (!sub) return '';
        if (sub === actor.sub) return tr('reviewer.you');
        if (sub === 'system') return tr('reviewer.system');
        const name = names.get(sub) ?? tr('reviewer.other');
        return sub === app.ownerSub ? tr('reviewer.owner', { name }) : name;
      },
      ageDays: (at: Date) => ageDays(clock.now(), at),
      age: daysAgoFormatter(requestLang(ctx)),
      path: pagePath(clientId),
    });
  };

  router.get('/:clientId', async (ctx) => showDetail(ctx, clientIdOf(ctx)));

  // The address a refused decision is shown at; opened again (the language switch, a reload) it is the app's page.
  router.get('/:clientId/keputusan', async (ctx) => {
    const lang = typeof ctx.query.lang === 'string' ? `?${new URLSearchParams({ lang: ctx.query.lang })}` : '';
    ctx.redirect(`${pagePath(clientIdOf(ctx))}${lang}`);
  });

  router.get(`/:clientId/${MARK}`, async (ctx) => {
    const lang = typeof ctx.query.lang === 'string' ? `?${new URLSearchParams({ lang: ctx.query.lang })}` : '';
    ctx.redirect(`${pagePath(clientIdOf(ctx))}${lang}#first-party`);
  });

  // Marks a live app as the regency's own, or removes the mark: the form posts the mark it asks for, with a reason.
  router.post(`/:clientId/${MARK}`, form, async (ctx) => {
    const clientId = clientIdOf(ctx);
    const body = posted(ctx);
    const actor = actorIn(ctx);
    if (!isReviewer(actor)) throw new AppError('review.error.forbidden', 403);
    if (await steppedUp(ctx, pagePath(clientId))) return;
    const reason = field(body, 'reason', MAX_REASON);
    const wanted = field(body, 'first_party', 8);
    if (wanted !== 'on' && wanted !== 'off') return showDetail(ctx, clientId, undefined, { reason, error: t(ctx)('apps.invalid.form'), status: 400 });
    try {
      await apps.setFirstParty(actor, clientId, wanted === 'on', reason);
    } catch (err) {
      const refusal = correctable(err);
      return showDetail(ctx, clientId, undefined, { reason, error: t(ctx)(refusal.code, refusal.params), status: refusal.code === 'review.error.state' ? 409 : 400 });
    }
    ctx.status = 303;
    ctx.redirect(`${pagePath(clientId)}?done=${wanted === 'on' ? 'first_party_set' : 'first_party_cleared'}#first-party`);
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
};
