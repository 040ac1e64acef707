import { bodyParser } from '@koa/bodyparser';
import type { Context } from 'koa';
import { verifyCsrf } from '../http/csrf.ts';
import { AppError } from '../http/errors.ts';
import { requestLang } from '../http/render.ts';
import { translator, type Lang, type MessageKey } from '../i18n/index.ts';
import { id as messages } from '../i18n/messages.ts';
import type { Agencies } from '../roles/agencies.ts';
import type { ClientRegistry } from '../clients/app.ts';
import { personNames, type AccountProfiles } from '../accounts/person-names.ts';
import { criteriaOf, FilterError, filterQuery, rawFilter, type RawFilter } from '../audit/audit-view.filter.ts';
import type { AuditViewService, Viewer } from '../audit/audit-view.service.ts';
import type { ChainVerifier } from '../audit/audit-view.verifier.ts';
import { ZONES } from '../zones/zones.ts';
import { zoneRouter, type ZoneRouterDeps } from '../zones/zone-router.ts';

export const AUDIT_PAGE = '/admin/audit';
const VERIFY_PAGE = `${AUDIT_PAGE}/pemeriksaan`;
/** Event groups offered in the filter (each a `prefix.*`). */
const GROUPS = ['signin', 'mfa', 'access', 'consent', 'session', 'account', 'role', 'app_role', 'agency', 'app', 'admin_api', 'audit'];
const EVENT_KEYS = Object.keys(messages).filter((k) => k.startsWith('auditview.event.'));

/** An event name in words, or the name itself for an event this version has no words for. */
export const eventLabel = (lang: Lang, event: string): string => {
  const key = `auditview.event.${event}`;
  return key in messages ? translator(lang)(key as MessageKey) : event;
};

/**
 * The audit viewer in the admin console (issue 13 §1): the filtered trail newest first, one record's page, the chain's
 * state with a verification run on demand, and exports. Auditors and administrators read everything; an agency
 * administrator reads the records about their agency (the service decides).
 */
export const createAuditRoutes = (deps: ZoneRouterDeps & { view: AuditViewService; verifier: ChainVerifier; agencies: Agencies; clients: ClientRegistry; accounts: AccountProfiles }) => {
  const { render, view, verifier } = deps;
  const router = zoneRouter(deps, { roles: ['auditor', 'administrator', 'agencyAdministrator'], refusal: 'auditview.forbidden', back: '/admin' });
  const form = bodyParser({ enableTypes: ['form'], formLimit: '4kb' });
  const viewer = (ctx: Context) => ctx.state.user as Viewer;
  const by = (ctx: Context) => ({ ip: ctx.ip, clientId: ZONES.admin.clientId });
  const local = (path: string) => path.slice('/admin'.length);

  /** The chain's state for the page: the last stored run, the one running here, the latest signed checkpoint. */
  const chain = async () => {
    const last = await verifier.last();
    const running = verifier.running();
    const names = await personNames(deps.accounts, [last?.startedBy, running?.startedBy]);
    return { last, running, checkpoint: verifier.checkpoint(), names };
  };

  /** What the filter form offers: event groups and events in words, apps and agencies by name. */
  const choices = async (ctx: Context) => {
    const lang = requestLang(ctx);
    const events = EVENT_KEYS.map((k) => k.slice('auditview.event.'.length)).map((e) => ({ value: e, label: eventLabel(lang, e) }));
    const apps = (await deps.clients.list()).map((a) => ({ value: a.clientId, label: a.name })).sort((a, b) => a.label.localeCompare(b.label));
    const agencies = (await deps.agencies.list()).map((a) => ({ value: a.code, label: `${a.code} — ${a.name}` }));
    return { groups: GROUPS.map((g) => ({ value: `${g}.*`, label: translator(lang)(`auditview.group.${g}` as MessageKey) })), events, apps, agencies };
  };

  const showList = async (ctx: Context, raw: RawFilter, extra: Record<string, unknown>) => {
    const mayVerify = view.mayVerify(viewer(ctx));
    render(ctx, 'admin/audit', { filter: raw, ...(await choices(ctx)), ...(mayVerify ? await chain() : {}), mayVerify, label: (e: string) => eventLabel(requestLang(ctx), e), query: filterQuery, ...extra });
  };

  router.get(local(AUDIT_PAGE), async (ctx) => {
    const raw = rawFilter(ctx.query);
    let criteria;
    try {
      criteria = criteriaOf(raw, ctx.query.before, deps.zone.timeZone);
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      ctx.status = 400;
      return showList(ctx, raw, { lines: [], error: { field: err.field, message: translator(requestLang(ctx))(err.key) } });
    }
    const { lines, next } = await view.page(viewer(ctx), raw, criteria, by(ctx));
    await showList(ctx, raw, { lines, next, first: criteria.before === undefined });
  });

  for (const format of ['csv', 'jsonl'] as const) {
    router.get(`${local(AUDIT_PAGE)}/ekspor.${format}`, async (ctx) => {
      const raw = rawFilter(ctx.query);
      let criteria;
      try {
        criteria = criteriaOf(raw, ctx.query.before, deps.zone.timeZone);
      } catch (err) {
        if (err instanceof FilterError) throw new AppError(err.key, 400);
        throw err;
      }
      const { stream, records } = await view.export(viewer(ctx), raw, criteria, format, by(ctx));
      const day = new Date().toISOString().slice(0, 10);
      ctx.set('Content-Disposition', `attachment; filename="jejak-audit-${day}.${format}"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Audit-Records', String(records));
      ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
      ctx.body = stream;
    });
  }

  // The verification's own page: refreshed every 2 s while a run is under way, and not audited (it shows no records).
  router.get(local(VERIFY_PAGE), async (ctx) => {
    if (!view.mayVerify(viewer(ctx))) throw new AppError('auditview.verify_forbidden', 403);
    const started = ctx.query.started === '1' ? 'started' : ctx.query.started === '0' ? 'already' : undefined;
    render(ctx, 'admin/audit-verify', { ...(await chain()), mayVerify: view.mayVerify(viewer(ctx)), started });
  });

  router.post(local(VERIFY_PAGE), form, async (ctx) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    if (!view.mayVerify(viewer(ctx))) throw new AppError('auditview.verify_forbidden', 403);
    // A second click while a run is under way starts nothing: the page shows the run already going.
    const started = await verifier.start(viewer(ctx).account.sub);
    ctx.status = 303;
    ctx.redirect(`${VERIFY_PAGE}?started=${started ? 1 : 0}`);
  });

  router.get(`${local(AUDIT_PAGE)}/:seq`, async (ctx) => {
    const seq = ctx.params.seq ?? '';
    if (!/^\d{1,15}$/.test(seq)) throw new AppError('auditview.not_found', 404, { seq: seq.slice(0, 20) });
    const record = await view.record(viewer(ctx), Number(seq), by(ctx));
    render(ctx, 'admin/audit-record', { record, label: (e: string) => eventLabel(requestLang(ctx), e) });
  });

  return router;
};
