import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../shared/clock.ts';
import type { DirectoryUser } from '../directory/directory.ts';
import { AppError, errors } from '../http/errors.ts';
import type { Account, AccountFilter, AccountsRepo, AccountStatus, Profile } from './accounts.repo.ts';
import type { PersonCache } from './person-cache.ts';
import { createAppSignIns } from './app-signins.ts';
import { createLogger, type Logger } from '../shared/logger.ts';

const profileOf = ({ id: _id, dn: _dn, ...profile }: DirectoryUser): Profile => profile;

/** The account as it stands at `now`: a suspension whose end has passed reads as active, with no write needed. */
export const effective = (account: Account, now: Date): Account =>
  account.status === 'suspended' && account.statusChange?.until && account.statusChange.until <= now ? { ...account, status: 'active' } : account;

/**
 * Whether a session (or a code or refresh token it led to) signed in at `authTime` (epoch seconds) is not after the
 * account's last "end every session": then it is refused, even if a request already running saved it back after it was
 * deleted. A password proven after the cut is dated after it (`signInTime`), so signing in again at once works.
 */
export const signedInBeforeCut = (account: Account, authTime: number | undefined): boolean =>
  account.sessionsCutAt !== undefined && authTime !== undefined && authTime <= account.sessionsCutAt;

/**
 * Whether what is being used comes from a session that was ended: one signed in before the account's last cut (see
 * `signedInBeforeCut`), or one ended on its own (`endedSessions`), even if a request under way saved it back.
 */
export const fromEndedSession = (account: Account, from: { authTime?: number | undefined; sessionUid?: string | undefined }): boolean =>
  signedInBeforeCut(account, from.authTime) || (!!from.sessionUid && account.endedSessions?.[from.sessionUid] !== undefined);

/** The sign-in time of a password just verified for `account`: now, and in any case after its last cut. */
export const signInTime = (account: Account, now: Date): number => Math.max(Math.floor(now.getTime() / 1000), (account.sessionsCutAt ?? 0) + 1);

/** Why `account` cannot sign in, as the page a person sees; undefined when it can. */
export const refusalOf = (account: Account): AppError | undefined => {
  if (account.status === 'disabled') return errors.accountDisabled();
  if (account.status === 'suspended') {
    const until = account.statusChange?.until;
    return until ? new AppError('error.account_suspended_until', 403, { until: until.toISOString().slice(0, 10) }) : new AppError('error.account_suspended', 403);
  }
  return undefined;
};

/** The rules for Satu Akun accounts: an opaque, stable `sub` per directory identity, and its state. */
export const createAccountsService = (deps: {
  repo: AccountsRepo;
  clock: Clock;
  /** Told, in the sign-in's transaction, when a person signs in for the first time or their directory record changed. */
  profileChanged?: (account: Account, before: Profile | undefined, after: Profile, trx?: Knex.Transaction) => Promise<void>;
  /** People signing in now, kept in process (src/accounts/person-cache.ts); without it every read is a query. */
  people?: PersonCache;
  /** Told when sign-ins to apps cannot be written (they are kept and written later); silent when absent. */
  logger?: Logger;
}) => {
  const now = () => deps.clock.now();
  const signIns = createAppSignIns({ write: (batch) => deps.repo.recordAppSignIns(batch), logger: deps.logger ?? createLogger('silent') });
  const current = (account: Account | undefined) => account && effective(account, now());

  const newAccount = (user: DirectoryUser, lastLoginAt: Date | null): Account => ({
    sub: randomBytes(16).toString('base64url'),
    directoryId: user.id,
    username: user.username,
    status: 'active',
    profile: profileOf(user),
    createdAt: now(),
    lastLoginAt,
  });

  return {
    /**
     * Links a directory user who just proved their password to their account, creating it on first sign-in.
     * The `sub` is random, never derived from the NIP, and survives renames and transfers between agencies.
     * A suspended or disabled account is refused with the page the person sees.
     */
    async signedIn(user: DirectoryUser, trx: Knex.Transaction): Promise<Account> {
      const at = now();
      const profile = profileOf(user);
      // Updated first and refused after: a refusal rolls the sign-in's transaction back, update included.
      const signedIn = await deps.repo.recordSignIn(user.id, user.username, profile, at, trx);
      if (signedIn) {
        const updated = current(signedIn.account)!;
        const refusal = refusalOf(updated);
        if (refusal) throw refusal;
        const { before } = signedIn;
        if (before.agencyCode !== profile.agencyCode || before.position !== profile.position) await deps.profileChanged?.(updated, before, profile, trx);
        return updated;
      }
      const account = newAccount(user, at);
      await deps.repo.insertIfAbsent(account, trx);
      // When two first sign-ins of the same person race, the account the other one created wins.
      const created = current(await deps.repo.findByDirectoryId(user.id, trx)) ?? account;
      await deps.profileChanged?.(created, undefined, created.profile, trx);
      return created;
    },

    /**
     * The common sign-in in one statement (PostgreSQL): the account's snapshot refreshed, what the person has with apps
     * read, and the sign-in recorded by `record` (the audit trail's `recordAfter`, given the statement), committed
     * together in one round trip. Undefined when there is something to decide (a first sign-in, a refusal, a new
     * agency or position) or the database cannot do this: then `signedIn`, in a transaction.
     */
    async signedInAtOnce(user: DirectoryUser, record: (change: Knex.Raw) => Promise<Record<string, unknown>[] | undefined>): Promise<Account | undefined> {
      const change = deps.repo.returningSignIn(user.id, user.username, profileOf(user), now());
      const row = change && (await record(change))?.[0];
      if (!row) return undefined;
      const { account, apps } = deps.repo.signedInRow(row);
      deps.people?.put(account, apps);
      return current(account);
    },

    /**
     * The account of a directory person, created (never signed in, active) when they have none: an administrator may
     * suspend someone before their first sign-in.
     */
    async ensure(user: DirectoryUser, trx?: Knex.Transaction): Promise<Account> {
      const existing = current(await deps.repo.findByDirectoryId(user.id, trx));
      if (existing) return existing;
      await deps.repo.insertIfAbsent(newAccount(user, null), trx);
      return current(await deps.repo.findByDirectoryId(user.id, trx))!;
    },

    /** The account of `sub` as it stands now; outside a transaction from the cache of people signing in. */
    async find(sub: string, trx?: Knex.Transaction): Promise<Account | undefined> {
      if (trx || !deps.people) return current(await deps.repo.findBySub(sub, trx));
      const cached = deps.people.account(sub);
      if (cached) return current(cached);
      const since = deps.people.generation(sub);
      const account = await deps.repo.findBySub(sub);
      if (account) deps.people.keep(account, since);
      return current(account);
    },

    /** Keeps the account a sign-in just committed, so the rest of the sign-in and the app's requests read no SQL for it. */
    remember: (account: Account): void => deps.people?.put(account),

    /** The account of a directory identity; undefined for someone who has never signed in. */
    findByDirectoryId: async (directoryId: string) => current(await deps.repo.findByDirectoryId(directoryId)),

    /** Sets the state of `sub` (the caller audits it in the same transaction). */
    setStatus: (sub: string, status: AccountStatus, change: { reason: string | null; until: Date | null; by: string }, trx?: Knex.Transaction) =>
      deps.repo.setStatus(sub, status, { ...change, at: now() }, trx),

    /** One page of accounts in `sub` order after `page.after`, each read as it stands now (see `AccountsRepo.page`). */
    list: async (filter: AccountFilter, page: { after?: string; limit: number }): Promise<Account[]> => {
      const at = now();
      return (await deps.repo.page({ ...filter, ...page, now: at })).map((a) => effective(a, at));
    },

    notDisabledAfter: (after: string, limit: number) => deps.repo.notDisabledAfter(after, limit),

    /** Records sessions ended one by one (uid → when each would have expired, epoch seconds). */
    endSessions: (sub: string, ended: Record<string, number>) => deps.repo.endSessions(sub, ended, Math.floor(now().getTime() / 1000)),

    /** Ends, for good, every session signed in before now (see `signedInBeforeCut`). */
    cutSessions: (sub: string) => deps.repo.cutSessions(sub, Math.floor(now().getTime() / 1000)),

    /** Records that `sub` signed in to an app now (written behind, see src/accounts/app-signins.ts). */
    recordAppSignIn: (sub: string, clientId: string): void => signIns.record(sub, clientId, now()),
    /** The apps a person signed in to, the most recent first, with what this instance has not written yet. */
    appSignIns: async (sub: string) => (await signIns.flush(), deps.repo.appSignIns(sub)),
    /** Writes the pending sign-ins to apps (at close). */
    flush: () => signIns.flush(),
  };
};

export type AccountsService = ReturnType<typeof createAccountsService>;
