import type { Knex } from 'knex';
import type { ClientRegistry } from '../clients/app.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { TimeZone } from '../http/form-fields.ts';
import { dayOf } from './days.ts';

/** The audit events the aggregates count; every other record only moves the cursor. */
export const COUNTED_EVENTS = ['signin.success', 'signin.failure', 'consent.granted'] as const;
/** The second-factor proofs counted for sign-ins by level (migration 018), read with their own cursor. */
export const LEVEL_EVENTS = ['mfa.verified'] as const;
/** `report_cursor` rows: the figures of migration 017, and the second-factor proofs of migration 018. */
const CURSORS = { main: 1, levels: 2 } as const;
/** Agency recorded when the person is unknown (a mistyped login) or has none in the directory. */
export const NO_AGENCY = '-';
/** App recorded for a sign-in that did not start from an app (e.g. straight to the front page). */
export const NO_APP = '-';
const BATCH = 500;
const SNAPSHOT_EVERY_MS = 4 * 60_000;

interface Row {
  seq: number | string;
  at: string;
  event: string;
  subject: string | null;
  client_id: string | null;
  details: string | null;
}

const parse = (text: string | null): Record<string, unknown> => {
  try {
    const value = text ? (JSON.parse(text) as unknown) : null;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** Adds `by` to a counter row, inserting it when new: the same statement on SQLite and PostgreSQL. */
const bump = (trx: Knex.Transaction, table: string, key: Record<string, string | number>, by: number) =>
  trx(table)
    .insert({ ...key, count: by })
    .onConflict(Object.keys(key))
    .merge({ count: trx.raw('??.?? + ?', [table, 'count', by]) });

/**
 * Folds the audit trail into the report tables (migrations 017 and 018), from the record after each cursor (one for
 * sign-ins, failures and active people, one for second-factor proofs), in keyset batches
 * of `seq`. Each batch and the cursor move in one transaction that first locks the cursor row, so two instances (or
 * a page view and the timer) never count a record twice: the second waits, then starts after the first's cursor.
 * Only records up to the head read at the start are taken (every record at or below the head is committed).
 * The person's agency is read from their account when the batch is processed, which is close to the sign-in
 * because this runs every few minutes; it is stored with the count, so a later transfer does not move old figures.
 */
export const createAggregator = (deps: { knex: Knex; clock: Clock; logger: Logger; timeZone: TimeZone; clients: ClientRegistry }) => {
  const { knex } = deps;
  const day = dayOf(deps.timeZone);

  const agenciesOf = async (trx: Knex.Transaction, subs: string[]): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for (let i = 0; i < subs.length; i += 200) {
      const rows = (await trx('accounts').whereIn('sub', subs.slice(i, i + 200)).select('sub', 'profile')) as { sub: string; profile: string }[];
      for (const r of rows) {
        const code = (parse(r.profile).agencyCode as string | undefined)?.toUpperCase();
        out.set(r.sub, code || NO_AGENCY);
      }
    }
    return out;
  };

  type Fold = (trx: Knex.Transaction, rows: Row[], agencies: Map<string, string>) => Promise<void>;

  /** One batch of `events` after cursor `id`, up to `head`; returns how many records it took (0: caught up). */
  const step = async (id: number, events: readonly string[], fold: Fold, head: number): Promise<number> =>
    knex.transaction(async (trx) => {
      const lock = trx('report_cursor').where({ id });
      const cursor = (await (trx.client.dialect === 'postgresql' ? lock.forUpdate() : lock).first('seq')) as { seq: number | string };
      const after = Number(cursor.seq);
      if (after >= head) return 0;
      const rows = (await trx('audit_log')
        .where('seq', '>', after)
        .andWhere('seq', '<=', head)
        .whereIn('event', [...events])
        .orderBy('seq')
        .limit(BATCH)
        .select('seq', 'at', 'event', 'subject', 'client_id', 'details')) as Row[];
      // A full batch stops at its last record; a short one means nothing counted is left up to the head.
      const upTo = rows.length === BATCH ? Number(rows[rows.length - 1]!.seq) : head;
      const agencies = await agenciesOf(trx, [...new Set(rows.flatMap((r) => (r.subject ? [r.subject] : [])))]);
      await fold(trx, rows, agencies);
      await trx('report_cursor').where({ id }).update({ seq: upTo, updated_at: deps.clock.now().toISOString() });
      return Math.max(upTo - after, 1);
    });

  /** Sign-ins, failures and active people (migration 017). */
  const foldMain: Fold = async (trx, rows, agencies) => {
    const signins = new Map<string, number>();
    const failures = new Map<string, number>();
    const active = new Map<string, Record<string, string>>();
    for (const r of rows) {
      const d = day(r.at);
      const agency = (r.subject && agencies.get(r.subject)) || NO_AGENCY;
      const app = r.client_id || NO_APP;
      const details = parse(r.details);
      if (r.event === 'signin.failure') {
        const k = JSON.stringify([d, String(details.reason ?? 'unknown').slice(0, 32), agency]);
        failures.set(k, (failures.get(k) ?? 0) + 1);
        continue;
      }
      if (r.event === 'signin.success') {
        const k = JSON.stringify([d, app, agency, typeof details.acr === 'string' ? details.acr.slice(0, 64) : NO_APP]);
        signins.set(k, (signins.get(k) ?? 0) + 1);
      }
      if (r.subject && r.client_id) active.set(JSON.stringify([d, app, r.subject]), { day: d, client_id: app, sub: r.subject, agency });
    }
    for (const [k, n] of signins) {
      const [d, client_id, agency, acr] = JSON.parse(k) as string[];
      await bump(trx, 'report_signins', { day: d!, client_id: client_id!, agency: agency!, acr: acr! }, n);
    }
    for (const [k, n] of failures) {
      const [d, reason, agency] = JSON.parse(k) as string[];
      await bump(trx, 'report_failures', { day: d!, reason: reason!, agency: agency! }, n);
    }
    for (const row of active.values()) await trx('report_active').insert(row).onConflict(['day', 'client_id', 'sub']).ignore();
  };

  /**
   * Second-factor proofs (migration 018) at the larger of 2 and the app's level, as the registry says when the record
   * is processed (`levels`, read before the batches: on SQLite the transaction holds the only connection). A proof
   * without an app, or for an app no longer registered, counts at level 2.
   */
  const foldLevels = (levels: Map<string, number>): Fold => async (trx, rows, agencies) => {
    const counts = new Map<string, number>();
    for (const r of rows) {
      const app = r.client_id || NO_APP;
      const k = JSON.stringify([day(r.at), app, (r.subject && agencies.get(r.subject)) || NO_AGENCY, Math.min(3, Math.max(2, levels.get(app) ?? 2))]);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const [k, n] of counts) {
      const [d, client_id, agency, level] = JSON.parse(k) as [string, string, string, number];
      await bump(trx, 'report_levels', { day: d, client_id, agency, level }, n);
    }
  };

  /** Today's snapshot of accounts and second factors by agency, replacing an earlier one of the same day. */
  const snapshotFactors = async (): Promise<boolean> => {
    const today = day(deps.clock.now());
    const accounts = (await knex('accounts').select('sub', 'profile')) as { sub: string; profile: string }[];
    const totp = (await knex('totp_credentials').whereNotNull('confirmed_at').select('sub')) as { sub: string }[];
    const keys = (await knex('webauthn_credentials').distinct('sub')) as { sub: string }[];
    const withFactor = new Set([...totp, ...keys].map((r) => r.sub));
    const byAgency = new Map<string, { accounts: number; with_factor: number }>();
    for (const a of accounts) {
      const agency = (parse(a.profile).agencyCode as string | undefined)?.toUpperCase() || NO_AGENCY;
      const row = byAgency.get(agency) ?? { accounts: 0, with_factor: 0 };
      row.accounts += 1;
      if (withFactor.has(a.sub)) row.with_factor += 1;
      byAgency.set(agency, row);
    }
    await knex.transaction(async (trx) => {
      await trx('report_factors').where({ day: today }).delete();
      for (const [agency, row] of byAgency) await trx('report_factors').insert({ day: today, agency, ...row });
    });
    return byAgency.size > 0;
  };

  // The snapshot reads every account: once per few minutes is enough, not at every page view.
  let snappedAt = -Infinity;

  return {
    /** Catches up with the trail as it stands now; returns how far behind the cursor was (in seq). */
    run: async (): Promise<number> => {
      const head = Number(((await knex('audit_head').where({ id: 1 }).first('seq')) as { seq: number | string }).seq);
      const start = await behind();
      const levels = new Map((await deps.clients.list()).map((app) => [app.clientId, Number(app.level) || 0]));
      // Each batch then a turn for everything else: SQLite's driver is synchronous, and a first catch-up over a long
      // trail would otherwise hold up every request, sign-ins and /readyz included, until it ends.
      const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
      while ((await step(CURSORS.main, COUNTED_EVENTS, foldMain, head)) > 0) await yieldTurn();
      while ((await step(CURSORS.levels, LEVEL_EVENTS, foldLevels(levels), head)) > 0) await yieldTurn();
      if (deps.clock.now().getTime() - snappedAt >= SNAPSHOT_EVERY_MS) {
        // An empty snapshot (no account yet, a fresh install) is taken again at the next run.
        if (await snapshotFactors()) snappedAt = deps.clock.now().getTime();
      }
      return start;
    },
    behind: () => behind(),
  };

  async function behind(): Promise<number> {
    // The cursor furthest behind (the second-factor one, just after the upgrade to migration 018).
    const [head, cursor] = await Promise.all([knex('audit_head').where({ id: 1 }).first('seq'), knex('report_cursor').min({ seq: 'seq' }).first()]);
    return Number((head as { seq: number }).seq) - Number((cursor as { seq: number }).seq);
  }
};

export type Aggregator = ReturnType<typeof createAggregator>;
