import type { Knex } from 'knex';
import type { AuditRow } from './audit.repo.ts';
import { FAILURE_EVENTS } from './audit-view.events.ts';
import type { Criteria } from './audit-view.filter.ts';

/**
 * What the viewer asks of the trail, in stored terms: `actors`/`subjects` are the values a person may appear as
 * (their sub, `directory:<id>`, the login as typed), resolved by the service; `agencies` is the agency filter and
 * `scope` an agency administrator's agencies, each meaning "about a person or an app of these agencies".
 */
export interface ViewQuery {
  criteria: Omit<Criteria, 'actor' | 'subject' | 'agency'>;
  actors?: string[];
  subjects?: string[];
  agencies?: AgencySet;
  scope?: AgencySet;
}

/** Agency codes, and the configured apps (not in SQL) those agencies own. */
export interface AgencySet {
  codes: string[];
  apps: string[];
}

/** One run of the chain verification, as `audit_verifications` keeps it. */
export interface VerificationRow {
  startedAt: string;
  finishedAt: string;
  startedBy: string;
  headSeq: number;
  checked: number;
  outcome: 'ok' | 'failed' | 'error';
  firstBadSeq: number | null;
  reason: string | null;
  checkpointSeq: number | null;
}

const toRow = (raw: Record<string, unknown>): AuditRow => ({ ...(raw as unknown as AuditRow), seq: Number(raw.seq) });
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** SQL of the audit viewer: filtered pages newest first, keyset batches oldest first for exports, and the verification runs. */
export const createAuditViewRepo = (knex: Knex) => {
  const pg = knex.client.dialect === 'postgresql';
  // The profile is JSON text: the agency is read out of it (PostgreSQL's jsonb, SQLite's JSON1).
  const agencyOf = pg ? "upper(profile::jsonb ->> 'agencyCode')" : "upper(json_extract(profile, '$.agencyCode'))";
  // Event names compared byte by byte (a prefix is a range): PostgreSQL's default collation may ignore punctuation,
  // so there the column is compared, and indexed (migration 015), under the "C" collation. SQLite's is bytewise already.
  const EVENT = pg ? 'event collate "C"' : 'event';
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

  /** Records about people or apps of `codes`: their actor or subject is such a person (by sub or directory id), their app is such an app, or the agency itself. */
  const about = (w: Knex.QueryBuilder, { codes, apps }: AgencySet) => {
    const people = () => knex('accounts').whereIn(knex.raw(agencyOf) as unknown as string, codes);
    w.whereIn('actor', people().select('sub'))
      .orWhereIn('subject', people().select('sub'))
      .orWhereIn('subject', people().select(knex.raw("'directory:' || directory_id")))
      .orWhereIn('client_id', knex('apps').whereIn('agency', codes).select('client_id'))
      .orWhereIn('client_id', apps)
      .orWhereIn('subject', codes.map((c) => `agency:${c}`));
  };

  const filtered = (query: ViewQuery) => {
    const { criteria: c } = query;
    const q = knex('audit_log');
    // `at` is fixed-width ISO-8601 UTC text, so text comparison is time order.
    if (c.fromAt) q.where('at', '>=', c.fromAt);
    if (c.toAt) q.where('at', '<', c.toAt);
    if (c.event && 'exact' in c.event) q.whereRaw(`${EVENT} = ?`, [c.event.exact]);
    // A prefix as a range ('signin.' ≤ event < 'signin/'): an index range on both databases, no LIKE escaping.
    if (c.event && 'prefix' in c.event) q.whereRaw(`${EVENT} >= ? and ${EVENT} < ?`, [c.event.prefix, `${c.event.prefix.slice(0, -1)}/`]);
    if (query.actors) q.whereIn('actor', query.actors);
    if (query.subjects) q.whereIn('subject', query.subjects);
    if (c.app) q.where('client_id', c.app);
    if (c.result) q.whereRaw(`${EVENT} ${c.result === 'failure' ? 'in' : 'not in'} (${marks(FAILURE_EVENTS.length)})`, [...FAILURE_EVENTS]);
    if (query.agencies) q.where((w) => about(w, query.agencies!));
    if (query.scope) q.where((w) => about(w, query.scope!));
    return q;
  };

  return {
    /** The accounts a typed login or sub names: sub and directory id (usernames compared without case). */
    accountsNamed: (value: string): Promise<{ sub: string; directory_id: string }[]> =>
      knex('accounts').where('sub', value).orWhereRaw('lower(username) = ?', [value.toLowerCase()]).select('sub', 'directory_id'),

    /** Profiles (JSON text) of accounts by sub or directory id. */
    profiles: async (subs: string[], directoryIds: string[]): Promise<{ sub: string; directory_id: string; username: string; profile: string }[]> =>
      subs.length || directoryIds.length ? knex('accounts').whereIn('sub', subs).orWhereIn('directory_id', directoryIds).select('sub', 'directory_id', 'username', 'profile') : [],

    /** One page newest first: `limit` records older than `criteria.before`. */
    page: async (query: ViewQuery, limit: number): Promise<AuditRow[]> => {
      const q = filtered(query).orderBy('seq', 'desc').limit(limit);
      if (query.criteria.before !== undefined) q.where('seq', '<', query.criteria.before);
      return (await q).map(toRow);
    },

    /** The record `seq` if the query admits it. */
    one: async (seq: number, query: ViewQuery): Promise<AuditRow | undefined> => {
      const raw = await filtered(query).where('seq', seq).first();
      return raw ? toRow(raw) : undefined;
    },

    /** The seq of the nearest record before or after `seq` that the query admits. */
    neighbour: async (seq: number, query: ViewQuery, side: 'previous' | 'next'): Promise<number | undefined> => {
      const raw = await filtered(query).where('seq', side === 'previous' ? '<' : '>', seq).orderBy('seq', side === 'previous' ? 'desc' : 'asc').first('seq');
      return raw ? Number(raw.seq) : undefined;
    },

    /** How many records the query admits up to `upTo`. */
    count: async (query: ViewQuery, upTo: number): Promise<number> => {
      const q = filtered(query).where('seq', '<=', upTo);
      if (query.criteria.before !== undefined) q.where('seq', '<', query.criteria.before);
      const [raw] = await q.count({ n: '*' });
      return Number(raw?.n ?? 0);
    },

    /** The records the query admits up to `upTo`, oldest first, in keyset batches (no offset scans, never all at once). */
    batches: async function* (query: ViewQuery, upTo: number, size = 1000): AsyncGenerator<AuditRow[]> {
      let after = 0;
      for (;;) {
        const q = filtered(query).where('seq', '>', after).andWhere('seq', '<=', upTo).orderBy('seq').limit(size);
        if (query.criteria.before !== undefined) q.where('seq', '<', query.criteria.before);
        const rows = (await q).map(toRow);
        if (rows.length === 0) return;
        yield rows;
        if (rows.length < size) return;
        after = rows.at(-1)!.seq;
      }
    },

    saveVerification: async (v: VerificationRow): Promise<void> => {
      await knex('audit_verifications').insert({
        started_at: v.startedAt,
        finished_at: v.finishedAt,
        started_by: v.startedBy,
        head_seq: v.headSeq,
        checked: v.checked,
        outcome: v.outcome,
        first_bad_seq: v.firstBadSeq,
        reason: v.reason,
        checkpoint_seq: v.checkpointSeq,
      });
    },

    lastVerification: async (): Promise<VerificationRow | undefined> => {
      const r = await knex('audit_verifications').orderBy('id', 'desc').first();
      if (!r) return undefined;
      return {
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        startedBy: r.started_by,
        headSeq: Number(r.head_seq),
        checked: Number(r.checked),
        outcome: r.outcome,
        firstBadSeq: num(r.first_bad_seq),
        reason: r.reason,
        checkpointSeq: num(r.checkpoint_seq),
      };
    },
  };
};

export type AuditViewRepo = ReturnType<typeof createAuditViewRepo>;
