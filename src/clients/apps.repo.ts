import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';
import type { StoredSecret } from './secrets.ts';

export type AppStatus = 'draft' | 'submitted' | 'changes_requested' | 'rejected' | 'active' | 'suspended' | 'retired';
export type VersionState = 'draft' | 'submitted' | 'changes_requested' | 'approved' | 'rejected' | 'superseded' | 'withdrawn';
/** How an app came to be registered: the developer portal, dynamic registration, the quick start's demo, or `satu-akun apps import`. */
export type AppSource = 'portal' | 'dcr' | 'demo' | 'import';

export interface AppRow {
  clientId: string;
  agency: string;
  status: AppStatus;
  source: AppSource;
  ownerSub: string;
  liveVersion: number | null;
  agreementExpires: string | null;
  registrationTokenHash: string | null;
  /** Tokens issued at or before this time (epoch seconds) are revoked. */
  tokensRevokedAt: number | null;
  /** Diskominfo marked it as the regency's own app (issue 11 §6): people sign in without the first-time notice. */
  firstParty: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface VersionRow<R = unknown, D = unknown> {
  clientId: string;
  version: number;
  state: VersionState;
  registration: R;
  decision: D | null;
  createdBy: string;
  createdAt: Date;
  submittedAt: Date | null;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export interface AppEvent {
  clientId: string;
  version: number | null;
  at: Date;
  actor: string;
  action: string;
  reason: string | null;
  fromStatus: string | null;
  toStatus: string | null;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const toApp = (r: Record<string, unknown>): AppRow => ({
  clientId: String(r.client_id),
  agency: String(r.agency),
  status: r.status as AppStatus,
  source: r.source as AppSource,
  ownerSub: String(r.owner_sub),
  liveVersion: r.live_version === null || r.live_version === undefined ? null : Number(r.live_version),
  agreementExpires: (r.agreement_expires as string | null) ?? null,
  registrationTokenHash: (r.registration_token_hash as string | null) ?? null,
  tokensRevokedAt: r.tokens_revoked_at === null || r.tokens_revoked_at === undefined ? null : Number(r.tokens_revoked_at),
  // SQLite returns 0/1, PostgreSQL a boolean.
  firstParty: r.first_party === true || r.first_party === 1,
  createdAt: toDate(r.created_at)!,
  updatedAt: toDate(r.updated_at)!,
});

const toVersion = (r: Record<string, unknown>): VersionRow => ({
  clientId: String(r.client_id),
  version: Number(r.version),
  state: r.state as VersionState,
  registration: JSON.parse(String(r.registration)) as unknown,
  decision: r.decision ? (JSON.parse(String(r.decision)) as unknown) : null,
  createdBy: String(r.created_by),
  createdAt: toDate(r.created_at)!,
  submittedAt: toDate(r.submitted_at),
  decidedBy: (r.decided_by as string | null) ?? null,
  decidedAt: toDate(r.decided_at),
});

const toEvent = (r: Record<string, unknown>): AppEvent => ({
  clientId: String(r.client_id),
  version: r.version === null || r.version === undefined ? null : Number(r.version),
  at: toDate(r.at)!,
  actor: String(r.actor),
  action: String(r.action),
  reason: (r.reason as string | null) ?? null,
  fromStatus: (r.from_status as string | null) ?? null,
  toStatus: (r.to_status as string | null) ?? null,
});


/** SQL for app registrations, their versions, history and secrets. Writers take an optional transaction. */
export const createAppsRepo = (knex: Knex) => ({
  async insertApp(app: AppRow, db: Knex = knex): Promise<void> {
    await db('apps').insert({
      client_id: app.clientId,
      agency: app.agency,
      status: app.status,
      source: app.source,
      owner_sub: app.ownerSub,
      live_version: app.liveVersion,
      agreement_expires: app.agreementExpires,
      registration_token_hash: app.registrationTokenHash,
      tokens_revoked_at: app.tokensRevokedAt,
      first_party: app.firstParty,
      created_at: iso(app.createdAt),
      updated_at: iso(app.updatedAt),
    });
  },

  /** Changes an app's row, but only while it still has `expectedStatus`: a concurrent transition makes this 0. */
  async updateApp(clientId: string, expectedStatus: AppStatus, patch: Partial<Pick<AppRow, 'status' | 'liveVersion' | 'agreementExpires' | 'registrationTokenHash' | 'tokensRevokedAt' | 'firstParty'>>, at: Date, db: Knex = knex): Promise<number> {
    const row: Record<string, unknown> = { updated_at: iso(at) };
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.liveVersion !== undefined) row.live_version = patch.liveVersion;
    if (patch.agreementExpires !== undefined) row.agreement_expires = patch.agreementExpires;
    if (patch.registrationTokenHash !== undefined) row.registration_token_hash = patch.registrationTokenHash;
    if (patch.tokensRevokedAt !== undefined) row.tokens_revoked_at = patch.tokensRevokedAt;
    if (patch.firstParty !== undefined) row.first_party = patch.firstParty;
    return db('apps').where({ client_id: clientId, status: expectedStatus }).update(row);
  },

  async findApp(clientId: string, db: Knex = knex): Promise<AppRow | undefined> {
    const row = (await db('apps').where({ client_id: clientId }).first()) as Record<string, unknown> | undefined;
    return row && toApp(row);
  },

  /** Every app, or one agency's, most recently changed first. */
  async listApps(agency?: string, db: Knex = knex): Promise<AppRow[]> {
    const q = db('apps').orderBy('updated_at', 'desc');
    if (agency) q.where({ agency });
    return ((await q) as Record<string, unknown>[]).map(toApp);
  },

  async insertVersion(v: VersionRow, db: Knex = knex): Promise<void> {
    await db('app_versions').insert({
      client_id: v.clientId,
      version: v.version,
      state: v.state,
      registration: JSON.stringify(v.registration),
      decision: v.decision ? JSON.stringify(v.decision) : null,
      created_by: v.createdBy,
      created_at: iso(v.createdAt),
      submitted_at: iso(v.submittedAt),
      decided_by: v.decidedBy,
      decided_at: iso(v.decidedAt),
    });
  },

  /** Changes a version only while it is in `expectedState`; returns rows changed. */
  async updateVersion(
    clientId: string,
    version: number,
    expectedState: VersionState,
    patch: Partial<Pick<VersionRow, 'state' | 'registration' | 'decision' | 'submittedAt' | 'decidedBy' | 'decidedAt'>>,
    db: Knex = knex,
    /** Also conditional on this submission time, when given: a resubmission in between leaves the row alone. */
    expectedSubmittedAt?: Date | null,
  ): Promise<number> {
    const row: Record<string, unknown> = {};
    if (patch.state !== undefined) row.state = patch.state;
    if (patch.registration !== undefined) row.registration = JSON.stringify(patch.registration);
    if (patch.decision !== undefined) row.decision = JSON.stringify(patch.decision);
    if (patch.submittedAt !== undefined) row.submitted_at = iso(patch.submittedAt);
    if (patch.decidedBy !== undefined) row.decided_by = patch.decidedBy;
    if (patch.decidedAt !== undefined) row.decided_at = iso(patch.decidedAt);
    const q = db('app_versions').where({ client_id: clientId, version, state: expectedState });
    if (expectedSubmittedAt !== undefined) q.where('submitted_at', iso(expectedSubmittedAt));
    return q.update(row);
  },

  async versions(clientId: string, db: Knex = knex): Promise<VersionRow[]> {
    return ((await db('app_versions').where({ client_id: clientId }).orderBy('version')) as Record<string, unknown>[]).map(toVersion);
  },

  /** The versions of several apps, in order. */
  async versionsOf(clientIds: string[], db: Knex = knex): Promise<VersionRow[]> {
    if (!clientIds.length) return [];
    return ((await db('app_versions').whereIn('client_id', clientIds).orderBy(['client_id', 'version'])) as Record<string, unknown>[]).map(toVersion);
  },

  async addEvent(e: AppEvent, db: Knex = knex): Promise<void> {
    await db('app_events').insert({
      client_id: e.clientId,
      version: e.version,
      at: iso(e.at),
      actor: e.actor,
      action: e.action,
      reason: e.reason,
      from_status: e.fromStatus,
      to_status: e.toStatus,
    });
  },

  async events(clientId: string, db: Knex = knex): Promise<AppEvent[]> {
    return ((await db('app_events').where({ client_id: clientId }).orderBy('id')) as Record<string, unknown>[]).map(toEvent);
  },

  /**
   * Everyone who shaped a version: whoever created, edited or submitted it, and, for an app registered through
   * RFC 7591, the administrators who issued its owner an initial access token. None of them may decide on it.
   */
  async contributors(app: AppRow, version: number, db: Knex = knex): Promise<Set<string>> {
    const editors = (await db('app_events').where({ client_id: app.clientId, version }).whereIn('action', ['created', 'updated', 'change_started', 'submitted']).distinct('actor')) as { actor: string }[];
    const issuers = app.source === 'dcr' ? ((await db('initial_access_tokens').where({ issued_to: app.ownerSub }).distinct('created_by')) as { created_by: string }[]) : [];
    return new Set([app.ownerSub, ...editors.map((e) => e.actor), ...issuers.map((i) => i.created_by)]);
  },

  async secrets(clientId: string, db: Knex = knex): Promise<StoredSecret[]> {
    const rows = (await db('app_secrets').where({ client_id: clientId }).orderBy('id')) as Record<string, unknown>[];
    return rows.map((r) => ({ hash: String(r.hash), expiresAt: toDate(r.expires_at) }));
  },

  /** Every live app (active, with an approved version) and its secrets: what the registry caches. */
  async liveApps(db: Knex = knex): Promise<Array<{ app: AppRow; version: VersionRow; secrets: StoredSecret[] }>> {
    const apps = ((await db('apps').where({ status: 'active' }).whereNotNull('live_version')) as Record<string, unknown>[]).map(toApp);
    if (!apps.length) return [];
    const ids = apps.map((a) => a.clientId);
    const versions = ((await db('app_versions').whereIn('client_id', ids).where({ state: 'approved' })) as Record<string, unknown>[]).map(toVersion);
    const secretRows = (await db('app_secrets').whereIn('client_id', ids).orderBy('id')) as Record<string, unknown>[];
    return apps.flatMap((app) => {
      const version = versions.find((v) => v.clientId === app.clientId && v.version === app.liveVersion);
      if (!version) return [];
      const secrets = secretRows.filter((r) => r.client_id === app.clientId).map((r) => ({ hash: String(r.hash), expiresAt: toDate(r.expires_at) }));
      return [{ app, version, secrets }];
    });
  },

  /** Starts a rotation: current secrets expire at `overlapEnds` (or now), then the new hash becomes the current one. */
  async rotateSecret(clientId: string, hash: string, at: Date, overlapEnds: Date, db: Knex = knex): Promise<void> {
    // Every secret still working stops by the end of the overlap: a rotation "stopping the old secret now" after a
    // leak must also stop an older one still inside an earlier overlap.
    await db('app_secrets')
      .where({ client_id: clientId })
      .andWhere((q) => void q.whereNull('expires_at').orWhere('expires_at', '>', iso(overlapEnds)))
      .update({ expires_at: iso(overlapEnds) });
    await db('app_secrets').where({ client_id: clientId }).where('expires_at', '<=', iso(at)).delete();
    await db('app_secrets').insert({ client_id: clientId, hash, created_at: iso(at), expires_at: null });
  },

  async deleteSecrets(clientId: string, db: Knex = knex): Promise<void> {
    await db('app_secrets').where({ client_id: clientId }).delete();
  },

  /** Active apps of outside parties whose agreement ended before `today` (YYYY-MM-DD). */
  async expiredAgreements(today: string, db: Knex = knex): Promise<AppRow[]> {
    return ((await db('apps').where({ status: 'active' }).whereNotNull('agreement_expires').where('agreement_expires', '<', today)) as Record<string, unknown>[]).map(toApp);
  },
});

export type AppsRepo = ReturnType<typeof createAppsRepo>;
