import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';
import { live } from './roles.repo.ts';

/** One app role held by a person (table `app_role_grants`). */
export interface AppRoleGrant {
  id: number;
  clientId: string;
  role: string;
  directoryId: string;
  login: string;
  agency: string | null;
  reason: string;
  grantedBy: string;
  grantedAt: Date;
  expiresAt: Date | null;
  /** `pending`: waits for a second person's approval (level-3 apps); only `active` grants count. */
  state: 'active' | 'pending';
  approvedBy: string | null;
  approvedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string | null;
  reviewNote: string | null;
}

interface Row {
  id: number;
  client_id: string;
  role: string;
  directory_id: string;
  login: string;
  agency: string | null;
  reason: string;
  granted_by: string;
  granted_at: unknown;
  expires_at: unknown;
  state: string;
  approved_by: string | null;
  approved_at: unknown;
  revoked_at: unknown;
  revoked_by: string | null;
  revoke_reason: string | null;
  review_note: string | null;
}

const toGrant = (r: Row): AppRoleGrant => ({
  id: Number(r.id),
  clientId: r.client_id,
  role: r.role,
  directoryId: r.directory_id,
  login: r.login,
  agency: r.agency,
  reason: r.reason,
  grantedBy: r.granted_by,
  grantedAt: toDate(r.granted_at)!,
  expiresAt: toDate(r.expires_at),
  state: r.state as AppRoleGrant['state'],
  approvedBy: r.approved_by,
  approvedAt: toDate(r.approved_at),
  revokedAt: toDate(r.revoked_at),
  revokedBy: r.revoked_by,
  revokeReason: r.revoke_reason,
  reviewNote: r.review_note,
});

/** Not revoked and not expired at `now` (pending ones included; callers filter by state). */
const open = live;

/** SQL for app role grants. Writers take an optional transaction so a grant and its audit record commit together. */
export const createAppRolesRepo = (knex: Knex) => ({
  /** The roles one person holds in one app, active only: what the `roles` claim and access rules see. */
  async heldBy(directoryId: string, clientId: string, now: Date): Promise<string[]> {
    const rows = await open(knex('app_role_grants').where({ directory_id: directoryId, client_id: clientId, state: 'active' }), now).distinct('role');
    return rows.map((r: { role: string }) => r.role);
  },

  /** Open grants (active and pending) of an app, optionally of one person. */
  async ofApp(clientId: string, now: Date, directoryId?: string, db: Knex = knex): Promise<AppRoleGrant[]> {
    const q = open(db<Row>('app_role_grants').where({ client_id: clientId }), now);
    if (directoryId) q.andWhere({ directory_id: directoryId });
    return (await q.orderBy(['role', 'login'])).map(toGrant);
  },

  /** Open grants of one person, in every app. */
  async ofPerson(directoryId: string, now: Date): Promise<AppRoleGrant[]> {
    return (await open(knex<Row>('app_role_grants').where({ directory_id: directoryId }), now).orderBy(['client_id', 'role'])).map(toGrant);
  },

  async find(id: number, db: Knex = knex): Promise<AppRoleGrant | undefined> {
    const row = await db<Row>('app_role_grants').where({ id }).first();
    return row && toGrant(row);
  },

  async insert(grant: Omit<AppRoleGrant, 'id' | 'approvedBy' | 'approvedAt' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'reviewNote'>, db: Knex = knex): Promise<number> {
    const [row] = await db('app_role_grants')
      .insert({
        client_id: grant.clientId,
        role: grant.role,
        directory_id: grant.directoryId,
        login: grant.login,
        agency: grant.agency,
        reason: grant.reason,
        granted_by: grant.grantedBy,
        granted_at: grant.grantedAt.toISOString(),
        expires_at: grant.expiresAt?.toISOString() ?? null,
        state: grant.state,
      })
      .returning('id');
    return Number(typeof row === 'object' ? (row as { id: number }).id : row);
  },

  /** Approves a pending grant; false when it is not pending any more (approved, revoked: a lost race). */
  async approve(id: number, by: string, at: Date, db: Knex = knex): Promise<boolean> {
    const changed = await db('app_role_grants').where({ id, state: 'pending' }).whereNull('revoked_at').update({ state: 'active', approved_by: by, approved_at: at.toISOString() });
    return changed === 1;
  },

  /** Ends an open grant; false when it was ended already. */
  async revoke(id: number, by: string, reason: string, at: Date, db: Knex = knex): Promise<boolean> {
    const changed = await db('app_role_grants').where({ id }).whereNull('revoked_at').update({ revoked_at: at.toISOString(), revoked_by: by, revoke_reason: reason });
    return changed === 1;
  },

  /** Marks a person's open grants made under another agency for review (they moved). */
  async flagForReview(directoryId: string, newAgency: string | null, note: string, now: Date, db: Knex = knex): Promise<number> {
    const q = open(db('app_role_grants').where({ directory_id: directoryId }).whereNull('review_note'), now);
    if (newAgency) q.andWhere((w) => w.whereNull('agency').orWhereNot('agency', newAgency));
    // The grant moves with the person, so the new agency's administrator finds it, flagged.
    return q.update({ review_note: note, agency: newAgency });
  },

  /** Clears the review flag of an open grant (someone decided to keep it); false when there was none. */
  async keep(id: number, db: Knex = knex): Promise<boolean> {
    return (await db('app_role_grants').where({ id }).whereNull('revoked_at').whereNotNull('review_note').update({ review_note: null })) === 1;
  },
});

export type AppRolesRepo = ReturnType<typeof createAppRolesRepo>;
