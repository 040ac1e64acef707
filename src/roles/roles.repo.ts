import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';

/** A global role granted in the console (table `role_grants`). */
export interface StoredGrant {
  id: number;
  directoryId: string;
  login: string;
  role: string;
  agency: string | null;
  reason: string;
  grantedBy: string;
  grantedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string | null;
  reviewNote: string | null;
}

interface Row {
  id: number;
  directory_id: string;
  login: string;
  role: string;
  agency: string | null;
  reason: string;
  granted_by: string;
  granted_at: unknown;
  expires_at: unknown;
  revoked_at: unknown;
  revoked_by: string | null;
  revoke_reason: string | null;
  review_note: string | null;
}

const toGrant = (r: Row): StoredGrant => ({
  id: Number(r.id),
  directoryId: r.directory_id,
  login: r.login,
  role: r.role,
  agency: r.agency,
  reason: r.reason,
  grantedBy: r.granted_by,
  grantedAt: toDate(r.granted_at)!,
  expiresAt: toDate(r.expires_at),
  revokedAt: toDate(r.revoked_at),
  revokedBy: r.revoked_by,
  revokeReason: r.revoke_reason,
  reviewNote: r.review_note,
});

/** Live at `now`: not revoked, not expired (grants of both tables). */
export const live = (q: Knex.QueryBuilder, now: Date) =>
  q.whereNull('revoked_at').andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now.toISOString()));

/** SQL for global role grants. Writers take an optional transaction so a grant and its audit record commit together. */
export const createRolesRepo = (knex: Knex) => ({
  /** The live grants of one person. */
  async liveFor(directoryId: string, now: Date, db: Knex = knex): Promise<StoredGrant[]> {
    return (await live(db<Row>('role_grants').where({ directory_id: directoryId }), now).orderBy('id')).map(toGrant);
  },

  /** Every live grant, by role then login (the console's list: a regency has tens of them, not thousands). */
  async allLive(now: Date): Promise<StoredGrant[]> {
    return (await live(knex<Row>('role_grants'), now).orderBy(['role', 'login'])).map(toGrant);
  },

  /** Recently ended grants (revoked or expired), the most recent first. */
  async recentlyEnded(now: Date, limit = 50): Promise<StoredGrant[]> {
    const rows = await knex<Row>('role_grants')
      .where((w) => w.whereNotNull('revoked_at').orWhere('expires_at', '<=', now.toISOString()))
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(toGrant);
  },

  async find(id: number, db: Knex = knex): Promise<StoredGrant | undefined> {
    const row = await db<Row>('role_grants').where({ id }).first();
    return row && toGrant(row);
  },

  async insert(grant: Omit<StoredGrant, 'id' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'reviewNote'>, db: Knex = knex): Promise<number> {
    const [row] = await db('role_grants')
      .insert({
        directory_id: grant.directoryId,
        login: grant.login,
        role: grant.role,
        agency: grant.agency,
        reason: grant.reason,
        granted_by: grant.grantedBy,
        granted_at: grant.grantedAt.toISOString(),
        expires_at: grant.expiresAt?.toISOString() ?? null,
      })
      .returning('id');
    return Number(typeof row === 'object' ? (row as { id: number }).id : row);
  },

  /** Ends a live grant; false when it was ended already (a lost race, a double submit). */
  async revoke(id: number, by: string, reason: string, at: Date, db: Knex = knex): Promise<boolean> {
    const changed = await db('role_grants').where({ id }).whereNull('revoked_at').update({ revoked_at: at.toISOString(), revoked_by: by, revoke_reason: reason });
    return changed === 1;
  },

  /** Clears the review flag of a live grant (an administrator decided to keep it); false when there was none. */
  async keep(id: number, db: Knex = knex): Promise<boolean> {
    return (await db('role_grants').where({ id }).whereNull('revoked_at').whereNotNull('review_note').update({ review_note: null })) === 1;
  },

  /** Marks the live agency-scoped grants of a person for review (they moved to another agency). */
  async flagForReview(directoryId: string, note: string, now: Date, db: Knex = knex): Promise<number> {
    return live(db('role_grants').where({ directory_id: directoryId }).whereNotNull('agency').whereNull('review_note'), now).update({ review_note: note });
  },
});

export type RolesRepo = ReturnType<typeof createRolesRepo>;
