import type Router from '@koa/router';
import { requestLang } from '../../http/render.ts';
import { daysAgoFormatter } from '../../i18n/dates.ts';
import { isReviewer } from '../app-policy.ts';
import type { AppStatus } from '../apps.repo.ts';
import { ageDays, currentVersion, DAY_MS, labelOf, pagePath } from './helpers.ts';
import type { ReviewShared } from './shared.ts';

const STATUSES: AppStatus[] = ['draft', 'submitted', 'changes_requested', 'rejected', 'active', 'suspended', 'retired'];

/** The review queue: apps filtered by status, agency and age, oldest submission first unless asked otherwise. */
export const addQueueRoutes = (router: Router, { render, apps, clock, t, actorIn }: ReviewShared) => {
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
      age: daysAgoFormatter(requestLang(ctx)),
    });
  });
};
