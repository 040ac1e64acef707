import { expect } from 'chai';
import type { Knex } from 'knex';
import { createAuditRepo } from '../../src/audit/audit.repo.ts';
import { createAuditService } from '../../src/audit/audit.service.ts';
import { createAuditViewRepo } from '../../src/audit/audit-view.repo.ts';
import { FAILURE_EVENTS, resultOf } from '../../src/audit/audit-view.events.ts';
import { diff } from '../../src/audit/audit-view.diff.ts';
import { eventLabel } from '../../src/admin/audit.routes.ts';
import { id } from '../../src/i18n/messages.ts';
import { migrate } from '../../src/db/knex.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { manualClock } from '../support/clock.ts';
import { onEachDatabase } from '../support/databases.ts';

/** Migration 015 and the viewer's queries on a bare database: the indexes serve the filters, the trail stays append-only. */
describe('audit viewer storage (migration 015)', () => {
  onEachDatabase((getKnex: () => Knex) => {
    let knex: Knex;
    const pg = () => knex.client.dialect === 'postgresql';
    before(async () => {
      knex = getKnex();
      await migrate(knex);
      const clock = manualClock('2026-03-01T00:00:00.000Z');
      const audit = createAuditService({ repo: createAuditRepo(knex), clock, logger: createLogger('silent') });
      for (let i = 0; i < 30; i++) {
        const who = { actor: `p${i % 5}`, subject: `p${i % 5}`, clientId: i % 2 ? 'app-a' : 'app-b', ip: '10.0.0.1' };
        await audit.record(i % 3 ? { event: 'signin.success', ...who } : { event: 'signin.failure', ...who, details: { reason: 'invalid_credentials' } });
        clock.move(60_000);
      }
      await audit.record({ event: 'signin_other.x' as 'logout', actor: 'p1' });
    });

    it('indexes each filtered column with seq and drops the single-column indexes they cover', async () => {
      const names = pg()
        ? ((await knex.raw("select indexname as name from pg_indexes where tablename = 'audit_log'")) as { rows: { name: string }[] }).rows.map((r) => r.name)
        : ((await knex.raw("select name from sqlite_master where type = 'index' and tbl_name = 'audit_log'")) as { name: string }[]).map((r) => r.name);
      expect(names).to.include.members(['audit_log_event_seq_index', 'audit_log_actor_seq_index', 'audit_log_subject_seq_index', 'audit_log_client_id_seq_index', 'audit_log_at_index']);
      expect(names).not.to.include.members(['audit_log_event_index']);
      expect(names).not.to.include('audit_log_actor_index');
    });

    it('answers an event prefix as a byte range (signin.* is not signin_other.x) and pages by seq', async () => {
      const repo = createAuditViewRepo(knex);
      const page = await repo.page({ criteria: { event: { prefix: 'signin.' } } }, 50);
      expect(page).to.have.length(30);
      expect(page.map((r) => r.seq)).to.deep.equal([...page.map((r) => r.seq)].sort((a, b) => b - a));
      const failures = await repo.page({ criteria: { result: 'failure', before: 20 }, actors: ['p0', 'p3'] }, 50);
      expect(failures.map((r) => r.seq)).to.deep.equal([19, 16, 4, 1]);
      expect(await repo.count({ criteria: { result: 'success' } }, 31)).to.equal(21);
      const batches: number[][] = [];
      for await (const b of repo.batches({ criteria: { fromAt: '2026-03-01T00:10:00.000Z', toAt: '2026-03-01T00:20:00.000Z' } }, 31, 4)) batches.push(b.map((r) => r.seq));
      expect(batches).to.deep.equal([[11, 12, 13, 14], [15, 16, 17, 18], [19, 20]]);
    });

    it("finds a person's page through the (subject, seq) index", async () => {
      const query = "select * from audit_log where subject in ('p1', 'p2') order by seq desc limit 51";
      // PostgreSQL picks its plan by table size and scans a 31-row table whole: asked not to, it must find the index.
      const plan = pg()
        ? await knex.transaction(async (trx) => {
            await trx.raw('set local enable_seqscan = off');
            return ((await trx.raw(`explain ${query}`)) as { rows: Record<string, string>[] }).rows.map((r) => Object.values(r)[0]!);
          })
        : ((await knex.raw(`explain query plan ${query}`)) as { detail: string }[]).map((p) => p.detail);
      expect(plan.join(' | ')).to.contain('audit_log_subject_seq_index');
    });

    it('leaves a trail that verifies, and on PostgreSQL still refuses an UPDATE', async () => {
      expect(await createAuditService({ repo: createAuditRepo(knex), clock: manualClock('2026-03-02T00:00:00.000Z'), logger: createLogger('silent') }).verify()).to.include({ ok: true, count: 31 });
      if (!pg()) return;
      let refused: Error | undefined;
      await knex('audit_log').where({ seq: 1 }).update({ ip: '10.9.9.9' }).catch((err: Error) => (refused = err));
      expect(refused?.message).to.contain('append-only');
    });
  });
});

describe('audit viewer: results and words by event name', () => {
  const known = Object.keys(id).filter((k) => k.startsWith('auditview.event.')).map((k) => k.slice('auditview.event.'.length));

  it('counts every known refused or failed event as a failure, and nothing else', () => {
    const failing = known.filter((e) => /[._](failure|failed|denied|refused)$/.test(e) || e === 'signin.directory_unavailable');
    expect([...FAILURE_EVENTS].sort()).to.deep.equal(failing.sort());
    expect(known.filter((e) => resultOf(e) === 'failure').sort()).to.deep.equal(failing.sort());
    expect(resultOf('report.refused'), 'a later event named as a refusal').to.equal('failure');
  });

  it('names every event in both languages, and an unknown one by its name', () => {
    expect(known).to.include.members(['signin.success', 'role.granted', 'audit.viewed', 'audit.exported', 'app.changed']);
    for (const e of known) expect(eventLabel('en', e), e).not.to.equal(e);
    expect(eventLabel('id', 'report.generated')).to.equal('report.generated');
  });
});

describe('audit viewer: before and after as a difference', () => {
  it('lists items added to and removed from a list (a person\'s roles)', () => {
    expect(diff(['developer', 'auditor'], ['developer', 'helpdesk'])).to.deep.equal([
      { kind: 'added', field: '', value: 'helpdesk' },
      { kind: 'removed', field: '', value: 'auditor' },
    ]);
  });

  it('lists fields added, removed and changed in an object, nested ones by path (an agency, an app registration)', () => {
    const before = { name: 'Dinas Kesehatan', parent: null, active: true, contact: { email: 'a@x.go.id' }, redirect_uris: ['https://a/cb'] };
    const after = { name: 'Dinas Kesehatan dan KB', parent: 'SETDA', active: true, contact: { email: 'a@x.go.id', phone: '0541' }, redirect_uris: ['https://a/cb', 'https://b/cb'] };
    expect(diff(before, after)).to.deep.equal([
      { kind: 'changed', field: 'name', from: 'Dinas Kesehatan', to: 'Dinas Kesehatan dan KB' },
      { kind: 'changed', field: 'parent', from: '', to: 'SETDA' },
      { kind: 'changed', field: 'redirect_uris', from: 'https://a/cb', to: 'https://a/cb, https://b/cb' },
      { kind: 'added', field: 'contact.phone', value: '0541' },
    ]);
    expect(diff(undefined, { name: 'BAPPEDA' }), 'a new agency: everything added').to.deep.equal([{ kind: 'added', field: 'name', value: 'BAPPEDA' }]);
    expect(diff({ a: 1 }, { a: 1 })).to.deep.equal([]);
  });
});
