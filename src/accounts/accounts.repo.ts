import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';
import type { DirectoryUser } from '../directory/directory.ts';
import type { AppSignIn } from './app-signins.ts';
import { personAppsQuery, toPersonApps, type PersonAppsRow } from './person-apps.repo.ts';
import type { PersonApps } from './person-cache.ts';

/** Active; suspended (until a date, or until reinstated); disabled (until reinstated). */
export type AccountStatus = 'active' | 'suspended' | 'disabled';

/** Directory attributes kept to answer claims between sign-ins. */
export type Profile = Omit<DirectoryUser, 'id' | 'dn'>;

/** Why an account is not active, and who decided when. Absent for an account that was never anything but active. */
export interface StatusChange {
  reason: string | null;
  /** A suspension's end: the account reads as active from then on. */
  until: Date | null;
  at: Date | null;
  by: string | null;
}

export interface Account {
  sub: string;
  directoryId: string;
  username: string;
  status: AccountStatus;
  statusChange?: StatusChange;
  /** Every session was ended at this time (epoch seconds): anything signed in before it is refused. */
  sessionsCutAt?: number;
  /** Single sessions ended (uid → when each would have expired, epoch seconds): refused if they come back. */
  endedSessions?: Record<string, number>;
  profile: Profile;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** A person's sign-ins to one app: when first, when last. */
export interface AppSignIns {
  clientId: string;
  firstAt: Date;
  lastAt: Date;
}

/** What a page of accounts may be narrowed to (the admin API's list of people). */
export interface AccountFilter {
  /** The state as it stands at `now`: a suspension whose end has passed counts as active. */
  status?: AccountStatus;
  /** Agency codes (upper-case) of the directory snapshot taken at the person's last sign-in. */
  agencies?: string[];
  /** The start of the username, in any case. */
  usernamePrefix?: string;
}

/** `LIKE` pattern characters taken literally (escaped with a backslash). */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface Row {
  sub: string;
  directory_id: string;
  username: string;
  status: string;
  status_reason: string | null;
  status_until: unknown;
  status_changed_at: unknown;
  status_changed_by: string | null;
  sessions_cut_at: unknown;
  ended_sessions: string | null;
  profile: string;
  created_at: unknown;
  last_login_at: unknown;
}

const toAccount = (row: Row): Account => ({
  sub: row.sub,
  directoryId: row.directory_id,
  username: row.username,
  status: row.status as AccountStatus,
  ...(row.status_changed_at
    ? { statusChange: { reason: row.status_reason, until: toDate(row.status_until), at: toDate(row.status_changed_at), by: row.status_changed_by } }
    : {}),
  ...(row.sessions_cut_at !== null && row.sessions_cut_at !== undefined ? { sessionsCutAt: Number(row.sessions_cut_at) } : {}),
  ...(row.ended_sessions ? { endedSessions: JSON.parse(row.ended_sessions) as Record<string, number> } : {}),
  profile: JSON.parse(row.profile) as Profile,
  createdAt: toDate(row.created_at)!,
  lastLoginAt: toDate(row.last_login_at),
});

/** SQL for accounts. Writers take an optional transaction so a change and its audit record commit together. */
export const createAccountsRepo = (knex: Knex) => ({
  async findBySub(sub: string, db: Knex = knex): Promise<Account | undefined> {
    const row = await db<Row>('accounts').where({ sub }).first();
    return row && toAccount(row);
  },

  async findByDirectoryId(directoryId: string, db: Knex = knex): Promise<Account | undefined> {
    const row = await db<Row>('accounts').where({ directory_id: directoryId }).first();
    return row && toAccount(row);
  },

  /** Inserts unless the directory identity already has an account (two first sign-ins racing). */
  async insertIfAbsent(account: Account, db: Knex = knex): Promise<void> {
    await db('accounts')
      .insert({
        sub: account.sub,
        directory_id: account.directoryId,
        username: account.username,
        status: account.status,
        profile: JSON.stringify(account.profile),
        created_at: account.createdAt.toISOString(),
        last_login_at: account.lastLoginAt?.toISOString() ?? null,
      })
      .onConflict('directory_id')
      .ignore();
  },

  /**
   * Refreshes the snapshot of the directory identity's account at sign-in; its account as updated and the profile it
   * had before, or undefined when it has none. Call inside the sign-in's transaction: the caller may still refuse the
   * person, and the update must then roll back. On PostgreSQL one statement (the join reads the row as it was).
   */
  async recordSignIn(directoryId: string, username: string, profile: Profile, at: Date, db: Knex.Transaction): Promise<{ account: Account; before: Profile } | undefined> {
    const values = [username, JSON.stringify(profile), at.toISOString(), directoryId];
    if (db.client.dialect === 'postgresql') {
      const { rows } = (await db.raw(
        'update accounts as a set username = ?, profile = ?, last_login_at = ? from accounts as old where a.directory_id = ? and old.sub = a.sub returning a.*, old.profile as old_profile',
        values,
      )) as { rows: (Row & { old_profile: string })[] };
      const row = rows[0];
      return row && { account: toAccount(row), before: JSON.parse(row.old_profile) as Profile };
    }
    const row = await db<Row>('accounts').where({ directory_id: directoryId }).first();
    if (!row) return undefined;
    await db('accounts').where({ sub: row.sub }).update({ username, profile: values[1], last_login_at: values[2] });
    return { account: toAccount({ ...row, username, profile: values[1]!, last_login_at: values[2] }), before: JSON.parse(row.profile) as Profile };
  },

  /**
   * PostgreSQL: the statement of a sign-in with nothing to decide (see `AccountsService.signedInAtOnce`). It refreshes
   * the snapshot only of an account that may sign in (active, or suspended until a time now past) whose agency and
   * position are still the directory's, and returns it with what the person has with apps. The conditions are checked
   * on the row as the UPDATE locked it. Undefined on SQLite.
   */
  returningSignIn(directoryId: string, username: string, profile: Profile, at: Date): Knex.Raw | undefined {
    if (knex.client.dialect !== 'postgresql') return undefined;
    const apps = personAppsQuery(knex, knex.ref('a.sub'), knex.ref('a.directory_id'));
    return knex.raw(
      `update accounts as a set username = ?, profile = ?, last_login_at = ?
      where a.directory_id = ? and (a.status = 'active' or (a.status = 'suspended' and a.status_until <= ?))
        and (a.profile::jsonb ->> 'agencyCode') is not distinct from ?::text and (a.profile::jsonb ->> 'position') is not distinct from ?::text
      returning a.*, (select coalesce(json_agg(x), '[]') from (?) as x)::text as apps`,
      [username, JSON.stringify(profile), at.toISOString(), directoryId, at.toISOString(), profile.agencyCode ?? null, profile.position ?? null, apps],
    );
  },

  /** A row `returningSignIn` returned. */
  signedInRow: (row: Record<string, unknown>): { account: Account; apps: PersonApps } => ({
    account: toAccount(row as unknown as Row),
    apps: toPersonApps(JSON.parse(row.apps as string) as PersonAppsRow[]),
  }),

  /** Sets the state, with why, until when, by whom and when. */
  async setStatus(sub: string, status: AccountStatus, change: StatusChange, db: Knex = knex): Promise<void> {
    await db('accounts')
      .where({ sub })
      .update({
        status,
        status_reason: change.reason,
        status_until: change.until?.toISOString() ?? null,
        status_changed_at: change.at?.toISOString() ?? null,
        status_changed_by: change.by,
      });
  },

  /**
   * One page of accounts in `sub` order, after the cursor `after` (a `sub`): the query walks the primary key from the
   * cursor and stops after `limit` matching rows, so a page costs the same at the start and at the end of the table,
   * and no row is skipped or repeated when accounts are added between pages.
   */
  async page(filter: AccountFilter & { after?: string; limit: number; now: Date }, db: Knex = knex): Promise<Account[]> {
    if (filter.agencies && !filter.agencies.length) return [];
    const now = filter.now.toISOString();
    const q = db<Row>('accounts').orderBy('sub').limit(filter.limit);
    if (filter.after) q.where('sub', '>', filter.after);
    if (filter.status === 'disabled') q.where({ status: 'disabled' });
    if (filter.status === 'suspended') q.where({ status: 'suspended' }).andWhere((w) => void w.whereNull('status_until').orWhere('status_until', '>', now));
    if (filter.status === 'active') q.andWhere((w) => void w.where({ status: 'active' }).orWhere((s) => void s.where({ status: 'suspended' }).andWhere('status_until', '<=', now)));
    if (filter.usernamePrefix) q.whereRaw("lower(username) like ? escape '\\'", [likePrefix(filter.usernamePrefix.toLowerCase())]);
    if (filter.agencies) {
      // The profile is JSON text: the agency is read out of it (PostgreSQL's jsonb, SQLite's JSON1).
      const agency = db.client.dialect === 'postgresql' ? "upper(profile::jsonb ->> 'agencyCode')" : "upper(json_extract(profile, '$.agencyCode'))";
      q.whereIn(db.raw(agency) as unknown as string, filter.agencies);
    }
    return (await q).map(toAccount);
  },

  /**
   * Accounts that may still sign in (active or suspended), `limit` at a time in `sub` order after `after`: keyset
   * paging, so no row is skipped or seen twice while states change under a walk (the directory sweep).
   */
  notDisabledAfter: (after: string, limit: number): Promise<{ sub: string; directory_id: string }[]> =>
    knex('accounts').whereIn('status', ['active', 'suspended']).andWhere('sub', '>', after).orderBy('sub').limit(limit).select('sub', 'directory_id'),

  /** Records that every session of `sub` ends now: what signed in before `at` (epoch seconds) is refused from here on. */
  async cutSessions(sub: string, at: number): Promise<void> {
    await knex('accounts').where({ sub }).update({ sessions_cut_at: at });
  },

  /**
   * Records that the sessions `ended` (uid → expiry, epoch seconds) were ended one by one; entries past their expiry
   * are dropped at the same time, so the list holds only sessions that could still come back.
   */
  async endSessions(sub: string, ended: Record<string, number>, now: number): Promise<void> {
    await knex.transaction(async (trx) => {
      const row = (await trx('accounts').where({ sub }).first('ended_sessions')) as { ended_sessions: string | null } | undefined;
      if (!row) return;
      const all = { ...(row.ended_sessions ? (JSON.parse(row.ended_sessions) as Record<string, number>) : {}), ...ended };
      const live = Object.fromEntries(Object.entries(all).filter(([, until]) => until > now));
      await trx('accounts').where({ sub }).update({ ended_sessions: Object.keys(live).length ? JSON.stringify(live) : null });
    });
  },

  /** Records sign-ins to apps, in one statement: the first one's time stays, the last one's moves. */
  async recordAppSignIns(batch: AppSignIn[]): Promise<void> {
    if (!batch.length) return;
    const rows = batch.map((s) => ({ sub: s.sub, client_id: s.clientId, first_at: s.firstAt.toISOString(), last_at: s.lastAt.toISOString() }));
    // Another instance's batch may come later with an older time: the latest one stays.
    const latest = knex.client.dialect === 'postgresql' ? 'greatest(account_apps.last_at, excluded.last_at)' : 'max(account_apps.last_at, excluded.last_at)';
    await knex('account_apps').insert(rows).onConflict(['sub', 'client_id']).merge({ last_at: knex.raw(latest) });
  },

  /** The apps a person signed in to, the most recent first. */
  async appSignIns(sub: string): Promise<AppSignIns[]> {
    const rows = await knex('account_apps').where({ sub }).orderBy('last_at', 'desc').select('client_id', 'first_at', 'last_at');
    return rows.map((r: { client_id: string; first_at: unknown; last_at: unknown }) => ({ clientId: r.client_id, firstAt: toDate(r.first_at)!, lastAt: toDate(r.last_at)! }));
  },
});

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
