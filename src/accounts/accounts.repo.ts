import type { Knex } from 'knex';
import { toDate } from '../db/knex.ts';
import type { DirectoryUser } from '../directory/directory.ts';

export type AccountStatus = 'active' | 'disabled';

/** Directory attributes kept to answer claims between sign-ins. */
export type Profile = Omit<DirectoryUser, 'id' | 'dn'>;

export interface Account {
  sub: string;
  directoryId: string;
  username: string;
  status: AccountStatus;
  profile: Profile;
  createdAt: Date;
  lastLoginAt: Date | null;
}

interface Row {
  sub: string;
  directory_id: string;
  username: string;
  status: string;
  profile: string;
  created_at: unknown;
  last_login_at: unknown;
}

const toAccount = (row: Row): Account => ({
  sub: row.sub,
  directoryId: row.directory_id,
  username: row.username,
  status: row.status as AccountStatus,
  profile: JSON.parse(row.profile) as Profile,
  createdAt: toDate(row.created_at)!,
  lastLoginAt: toDate(row.last_login_at),
});

/** SQL for accounts. Writers take an optional transaction so a sign-in and its audit record commit together. */
export const createAccountsRepo = (knex: Knex) => ({
  async findBySub(sub: string): Promise<Account | undefined> {
    const row = await knex<Row>('accounts').where({ sub }).first();
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

  /** Refreshes the snapshot at sign-in. */
  async recordLogin(sub: string, username: string, profile: Profile, at: Date, db: Knex = knex): Promise<void> {
    await db('accounts')
      .where({ sub })
      .update({ username, profile: JSON.stringify(profile), last_login_at: at.toISOString() });
  },
});

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
