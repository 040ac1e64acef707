import { expect } from 'chai';
import type { Knex } from 'knex';
import { createAuditRepo } from '../../src/audit/audit.repo.ts';
import { createAuditService, type AuditEvent, type AuditService } from '../../src/audit/audit.service.ts';
import type { ClientRegistry } from '../../src/clients/app.ts';
import { migrate } from '../../src/db/knex.ts';
import { createAgencies } from '../../src/roles/agencies.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createReportsService, type ReportsService } from '../../src/reports/reports.service.ts';
import { auditLink } from '../../src/reports/audit-link.ts';
import { manualClock } from '../support/clock.ts';
import { onEachDatabase } from '../support/databases.ts';

// Issue 13 §2: figures built incrementally from the trail equal figures counted independently from the seeded list.
const LOA = (n: number) => `urn:satu-akun:loa:${n}`;
const PEOPLE: Record<string, string> = { p1: 'DINKES', p2: 'DINKES', p3: 'DISDIK', p4: 'DISDIK', p5: 'BAPPEDA' };
const APPS = ['simpeg', 'sipd', 'ekinerja'];

interface Seed {
  at: string;
  event: 'signin.success' | 'signin.failure' | 'consent.granted' | 'logout';
  sub: string | null;
  app: string | null;
  acr?: string;
  reason?: 'invalid_credentials' | 'throttled' | 'account_suspended';
}

/** A deterministic trail over five days of November 2026 (WIB), with records on both sides of midnight. */
const seedList = (): Seed[] => {
  const out: Seed[] = [];
  const subs = Object.keys(PEOPLE);
  for (let i = 0; i < 120; i++) {
    // Every 53 minutes from 1 Nov 15:00 UTC (22:00 WIB): the local day changes at 17:00 UTC, not at 00:00 UTC.
    const at = new Date(Date.parse('2026-11-01T15:00:00Z') + i * 53 * 60_000).toISOString();
    const sub = subs[i % subs.length]!;
    const app = i % 7 === 0 ? null : APPS[i % APPS.length]!;
    if (i % 9 === 4) out.push({ at, event: 'signin.failure', sub: i % 2 ? sub : null, app, reason: i % 3 === 0 ? 'throttled' : 'invalid_credentials' });
    else if (i % 11 === 5) out.push({ at, event: 'consent.granted', sub, app: app ?? 'sipd' });
    else if (i % 13 === 6) out.push({ at, event: 'logout', sub, app });
    else out.push({ at, event: 'signin.success', sub, app, acr: LOA((i % 3) + 1) });
  }
  return out;
};

const toEvent = (s: Seed): AuditEvent => {
  const who = { actor: s.sub ?? 'login:unknown', subject: s.sub, clientId: s.app };
  if (s.event === 'signin.success') return { event: 'signin.success', ...who, details: { amr: ['pwd'], acr: s.acr } };
  if (s.event === 'signin.failure') return { event: 'signin.failure', ...who, details: { reason: s.reason! } };
  if (s.event === 'consent.granted') return { event: 'consent.granted', ...who, details: { scopes: ['openid'] } };
  return { event: 'logout', ...who };
};

const wibDay = (iso: string) => new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 10);
const count = (into: Map<string, number>, key: string, by = 1) => into.set(key, (into.get(key) ?? 0) + by);
const sorted = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
const asMap = (items: { key: string; value: number }[]) => sorted(new Map(items.map((i) => [i.key, i.value])));

/** The figures of `from`..`to` counted straight from the seeded list; `agencyAt`: each record's agency when processed. */
const expected = (seeds: Seed[], agencyAt: (s: Seed, i: number) => string, from: string, to: string) => {
  const byApp = new Map<string, number>();
  const byAgency = new Map<string, number>();
  const byLevel = new Map<string, number>();
  const byReason = new Map<string, number>();
  const active = new Map<string, Set<string>>();
  const people = new Set<string>();
  seeds.forEach((s, i) => {
    const day = wibDay(s.at);
    if (day < from || day > to) return;
    if (s.event === 'signin.failure') return void count(byReason, s.reason!);
    if (s.event === 'signin.success') {
      count(byApp, s.app ?? '-');
      count(byAgency, agencyAt(s, i));
      count(byLevel, s.acr!.slice(-1));
    }
    if ((s.event === 'signin.success' || s.event === 'consent.granted') && s.app && s.sub) {
      active.set(s.app, (active.get(s.app) ?? new Set()).add(s.sub));
      people.add(s.sub);
    }
  });
  return { byApp: sorted(byApp), byAgency: sorted(byAgency), byLevel: sorted(byLevel), byReason: sorted(byReason), active: sorted(new Map([...active].map(([k, v]) => [k, v.size]))), people: people.size };
};

describe('usage reports: aggregates from the audit trail', () => {
  onEachDatabase((db) => {
    let knex: Knex;
    let audit: AuditService;
    let reports: ReportsService;
    const clock = manualClock('2026-11-06T03:00:00Z');
    const seeds = seedList();
    const half = 70;

    before(async () => {
      knex = db();
      await migrate(knex);
      const logger = createLogger('silent');
      // The clock the trail is written with moves to each seeded record's time.
      let at = clock.now();
      audit = createAuditService({ repo: createAuditRepo(knex), clock: { now: () => at }, logger });
      const agencies = createAgencies({ knex, clock, audit });
      await agencies.seen('DINKES', 'Dinas Kesehatan');
      await agencies.seen('DISDIK', 'Dinas Pendidikan');
      for (const [sub, agency] of Object.entries(PEOPLE)) {
        await knex('accounts').insert({ sub, directory_id: `dir-${sub}`, username: sub, status: 'active', profile: JSON.stringify({ username: sub, name: sub, agencyCode: agency }), created_at: '2026-01-01T00:00:00.000Z', last_login_at: sub === 'p5' ? '2026-05-01T00:00:00.000Z' : '2026-11-05T00:00:00.000Z' });
      }
      await knex('totp_credentials').insert({ sub: 'p1', secret_enc: 'x', confirmed_at: '2026-10-01T00:00:00.000Z', created_at: '2026-10-01T00:00:00.000Z' });
      await knex('webauthn_credentials').insert({ id: 'cred-p3', sub: 'p3', public_key: 'k', counter: 0, name: 'kunci', created_at: '2026-10-01T00:00:00.000Z' });
      const clients = { find: async (id: string) => ({ name: `App ${id}` }) } as unknown as ClientRegistry;
      reports = createReportsService({ knex, clock, logger, timeZone: 'WIB', clients, agencies, dormantDays: 90 });
      const append = async (list: Seed[]) => {
        for (const s of list) {
          at = new Date(s.at);
          await audit.record(toEvent(s));
        }
      };
      // Step one, processed; then p1 moves to DISDIK (their later sign-ins count there, the earlier stay); step two.
      await append(seeds.slice(0, half));
      await reports.refresh();
      await knex('accounts').where({ sub: 'p1' }).update({ profile: JSON.stringify({ username: 'p1', name: 'p1', agencyCode: 'DISDIK' }) });
      await append(seeds.slice(half));
    });
    after(() => reports?.close());

    const agencyAt = (s: Seed, i: number) => (s.sub === 'p1' && i >= half ? 'DISDIK' : s.sub ? PEOPLE[s.sub]! : '-');

    it('the report for the whole period equals the figures counted from the seeded list', async () => {
      const data = await reports.report({ from: '2026-11-01', to: '2026-11-30' });
      const want = expected(seeds, agencyAt, '2026-11-01', '2026-11-30');
      expect(asMap(data.signinsByApp)).to.deep.equal(want.byApp);
      expect(asMap(data.signinsByAgency)).to.deep.equal(want.byAgency);
      expect(asMap(data.signinsByLevel.map((i) => ({ key: i.name, value: i.value })))).to.deep.equal(want.byLevel);
      expect(asMap(data.failuresByReason)).to.deep.equal(want.byReason);
      expect(asMap(data.activeByApp)).to.deep.equal(want.active);
      expect(data.totals.activePeople).to.equal(want.people);
      expect(data.totals.lockouts).to.equal(want.byReason.find(([k]) => k === 'throttled')?.[1] ?? 0);
      expect(data.totals.signins).to.equal(seeds.filter((s) => s.event === 'signin.success').length);
    });

    it('counts days in the regency time zone: one day alone matches the list for that WIB day', async () => {
      for (const day of ['2026-11-02', '2026-11-04']) {
        const data = await reports.report({ from: day, to: day });
        const want = expected(seeds, agencyAt, day, day);
        expect(asMap(data.signinsByApp), day).to.deep.equal(want.byApp);
        expect(data.totals.activePeople, day).to.equal(want.people);
        expect(data.activeByDay.map((i) => i.key)).to.deep.equal([day]);
      }
    });

    it('processing the trail again in one step from an empty cursor gives the same tables as the two steps', async () => {
      const tables = ['report_signins', 'report_failures', 'report_active'];
      const dump = async () => Promise.all(tables.map(async (t) => (await knex(t).select()).map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, String(v)]))).sort()));
      const twoSteps = await dump();
      expect(twoSteps[0]!.length).to.be.above(5);
      // In one step the agency read at processing is p1's new one for every record: put the old one back first.
      await knex('accounts').where({ sub: 'p1' }).update({ profile: JSON.stringify({ username: 'p1', name: 'p1', agencyCode: 'DINKES' }) });
      for (const t of tables) await knex(t).delete();
      await knex('report_cursor').update({ seq: 0 });
      const aggregateAgain = createReportsService({ knex, clock, logger: createLogger('silent'), timeZone: 'WIB', clients: { find: async () => undefined } as unknown as ClientRegistry, agencies: createAgencies({ knex, clock, audit }), dormantDays: 90 });
      await aggregateAgain.refresh();
      const oneStep = await dump();
      // Only p1's records after the move differ (their agency): compare everything else, and p1's with the old agency.
      const withoutP1 = (rows: string[]) => rows.filter((r) => !r.includes('"p1"'));
      expect(withoutP1(oneStep[2]!)).to.deep.equal(withoutP1(twoSteps[2]!));
      expect(oneStep[0]!.length).to.be.above(5);
      const want = expected(seeds, (s) => (s.sub ? PEOPLE[s.sub]! : '-'), '2026-11-01', '2026-11-30');
      expect(asMap(await (await reports.report({ from: '2026-11-01', to: '2026-11-30' })).signinsByAgency)).to.deep.equal(want.byAgency);
      // A second run with nothing new changes nothing.
      await aggregateAgain.refresh();
      expect(await dump()).to.deep.equal(oneStep);
    });

    it('second factors by agency, dormant accounts and the audit links', async () => {
      const data = await reports.report({ from: '2026-11-01', to: '2026-11-30' });
      const factors = Object.fromEntries(data.factors.rows.map((r) => [r.key, [r.withFactor, r.accounts]]));
      expect(factors).to.deep.equal({ DINKES: [1, 2], DISDIK: [1, 2], BAPPEDA: [0, 1] });
      expect(data.factors.day).to.equal('2026-11-06');
      expect(data.dormant).to.deep.equal({ count: 1, days: 90 });
      const simpeg = data.signinsByApp.find((i) => i.key === 'simpeg')!;
      expect(simpeg.name).to.equal('App simpeg');
      expect(simpeg.link).to.equal(auditLink({ from: '2026-11-01', to: '2026-11-30', event: 'signin.success', app: 'simpeg' }));
      expect(simpeg.link).to.equal('/admin/audit?from=2026-11-01&to=2026-11-30&event=signin.success&app=simpeg');
    });
  });
});
