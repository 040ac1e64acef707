import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../shared/clock.ts';
import type { DirectoryUser } from '../directory/directory.ts';
import { errors } from '../http/errors.ts';
import type { Account, AccountsRepo, Profile } from './accounts.repo.ts';

const profileOf = ({ id: _id, dn: _dn, ...profile }: DirectoryUser): Profile => profile;

/** The rules for Satu Akun accounts: an opaque, stable `sub` per directory identity. */
export const createAccountsService = (deps: { repo: AccountsRepo; clock: Clock }) => ({
  /**
   * Links a directory user who just proved their password to their account, creating it on first sign-in.
   * The `sub` is random, never derived from the NIP, and survives renames and transfers between agencies.
   */
  async signedIn(user: DirectoryUser, trx?: Knex.Transaction): Promise<Account> {
    const now = deps.clock.now();
    const existing = await deps.repo.findByDirectoryId(user.id, trx);
    if (existing) {
      if (existing.status !== 'active') throw errors.accountDisabled();
      await deps.repo.recordLogin(existing.sub, user.username, profileOf(user), now, trx);
      return { ...existing, username: user.username, profile: profileOf(user), lastLoginAt: now };
    }
    const account: Account = {
      sub: randomBytes(16).toString('base64url'),
      directoryId: user.id,
      username: user.username,
      status: 'active',
      profile: profileOf(user),
      createdAt: now,
      lastLoginAt: now,
    };
    await deps.repo.insertIfAbsent(account, trx);
    // When two first sign-ins of the same person race, the account the other one created wins.
    return (await deps.repo.findByDirectoryId(user.id, trx)) ?? account;
  },

  find: (sub: string) => deps.repo.findBySub(sub),

  /** The account of a directory identity; undefined for someone who has never signed in. */
  findByDirectoryId: (directoryId: string) => deps.repo.findByDirectoryId(directoryId),
});

export type AccountsService = ReturnType<typeof createAccountsService>;
