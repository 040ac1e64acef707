import { createHmac, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Account } from '../accounts/accounts.repo.ts';
import type { AuditEvent, AuditService } from '../audit/audit.service.ts';
import { DirectoryUnavailableError, normaliseLogin, type Directory, type DirectoryUser } from '../directory/directory.ts';
import { AppError, errors } from '../http/errors.ts';
import type { Limits } from '../throttle/limiter.ts';
import type { Logger } from '../shared/logger.ts';

/** A browser where a person has signed in before: it keeps a guessing budget of its own for that person. */
export interface KnownDevice {
  /** The person's directory identifier. */
  person: string;
  /** Random, per browser and person. */
  device: string;
}

export interface PasswordAttempt {
  login: string;
  password: string;
  ip: string;
  clientId?: string;
  /** The browser's User-Agent, kept (shortened) with the sign-in so the person's own activity page can name the browser. */
  ua?: string;
  /** From this browser's signed known-device cookie. */
  knownDevices?: KnownDevice[];
}

/** The User-Agent to keep with an attempt's record: enough to name the browser, never a whole header of any size. */
const browserOf = (attempt: PasswordAttempt): { ua?: string } => (attempt.ua ? { ua: attempt.ua.slice(0, 200) } : {});

/** The guessing-budget key of a person, from strangers' browsers (their directory identifier). */
export const personKey = (directoryId: string) => `person:${directoryId}`;

/** Failed sign-ins answer no sooner than this, so an unknown login and a wrong password take the same time. */
export const FAILURE_FLOOR_MS = 400;

/** The address a guessing budget is kept for: an IPv4 address, or an IPv6 /64 (one subscriber's whole network). */
export const addressKey = (ip: string): string => {
  const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (!isIPv6(v4)) return v4;
  const [head = '', tail = ''] = v4.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = v4.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
};

/** Failures left at or below which a failed sign-in warns that the next ones will be refused for a while. */
export const WARN_WHEN_LEFT = 2;

/**
 * The message of a wrong password: plain while plenty of attempts remain, then a warning before the block. It rests on
 * the budget of the login as typed (or of this known browser), which an unknown login has just like a real one, so
 * the warning says nothing about whether the account exists.
 */
const failedWarning = (left: number | undefined): AppError => {
  if (left === undefined || left > WARN_WHEN_LEFT) return new AppError('login.failed', 401);
  return left === 0 ? new AppError('login.failed_blocked', 401) : new AppError('login.failed_warning', 401, { left });
};

/**
 * Password sign-in as a list of steps: normalise → find the person → take one attempt from their guessing budget
 * (and the address's) → bind → account → audit. Budgets are per person, whatever login form was typed; a browser the
 * person signed in from before has its own. A wrong password and an unknown login are the same failure to the person;
 * a directory outage is a different page and never counts as an attempt.
 */
export const createLoginService = (deps: {
  knex: Knex;
  directory: Directory;
  accounts: AccountsService;
  limits: Limits;
  audit: AuditService;
  logger: Logger;
  /** Keys the hash under which unknown logins are counted and audited (never the typed string). */
  loginKey: string;
  failureFloorMs?: number;
}) => {
  const floor = deps.failureFloorMs ?? FAILURE_FLOOR_MS;
  const hashLogin = (login: string) => createHmac('sha256', deps.loginKey).update(`login:${login}`).digest('base64url').slice(0, 22);

  /** Who an attempt was aimed at, as the audit trail names them: the account, the directory entry, or the login's hash. */
  const actorOf = async (user: DirectoryUser | null, login: string) => {
    if (!user) return { actor: `login:${hashLogin(login)}`, subject: null };
    const account = await deps.accounts.findByDirectoryId(user.id);
    return account ? { actor: account.sub, subject: account.sub } : { actor: `directory:${user.id}`, subject: null };
  };

  const fail = async (started: number, who: { actor: string; subject: string | null }, attempt: PasswordAttempt, error: AppError, reason: 'invalid_credentials' | 'throttled' | 'account_disabled' | 'account_suspended') => {
    await deps.audit.record({ event: 'signin.failure', ...who, clientId: attempt.clientId ?? null, ip: attempt.ip, details: { reason, ...browserOf(attempt) } });
    const left = floor - (Date.now() - started);
    if (left > 0) await sleep(left);
    return error;
  };

  const throttled = (started: number, waitMs: number, who: { actor: string; subject: string | null }, attempt: PasswordAttempt) =>
    fail(started, who, attempt, new AppError('login.throttled', 429, { minutes: Math.ceil(waitMs / 60_000) }), 'throttled');

  const unavailable = async (err: unknown, attempt: PasswordAttempt) => {
    if (!(err instanceof DirectoryUnavailableError)) return err;
    deps.logger.error({ err }, 'directory unavailable during sign-in');
    await deps.audit.record({ event: 'signin.directory_unavailable', actor: null, clientId: attempt.clientId ?? null, ip: attempt.ip });
    return errors.directoryUnavailable();
  };

  return {
    /** Verifies a password sign-in; resolves to the account and this browser's device, or rejects with an `AppError`. */
    async withPassword(attempt: PasswordAttempt): Promise<{ account: Account; device: KnownDevice }> {
      const started = Date.now();
      const login = normaliseLogin(attempt.login).slice(0, 256);
      if (!login || !attempt.password) throw new AppError('login.missing', 400);

      // A browser that knows nobody is a stranger to everyone: its address's budget is taken before the directory
      // is even searched, so a blocked address costs the directory nothing.
      const address: [Limits[keyof Limits], string] = [deps.limits.address, addressKey(attempt.ip)];
      const early = !attempt.knownDevices?.length;
      const earlyTake = early ? await address[0].take(address[1]) : undefined;
      if (earlyTake?.retryAfterMs) throw await throttled(started, earlyTake.retryAfterMs, await actorOf(null, login), attempt);

      let user: DirectoryUser | null;
      try {
        user = await deps.directory.findUser(login);
      } catch (err) {
        if (early) await address[0].refund(address[1]);
        throw await unavailable(err, attempt);
      }
      const known = user ? attempt.knownDevices?.find((d) => d.person === user!.id) : undefined;
      // Check and count in one step, before the directory sees the password: parallel guesses cannot overrun a budget.
      const own: [Limits[keyof Limits], string] = known ? [deps.limits.password, `device:${known.device}`] : [deps.limits.password, user ? personKey(user.id) : `login:${hashLogin(login)}`];
      const later: [Limits[keyof Limits], string][] = known || early ? [own] : [own, address];
      const taken = await Promise.all(later.map(([limiter, key]) => limiter.take(key)));
      const counted = [...later.filter((_, i) => !taken[i]!.retryAfterMs), ...(early ? [address] : [])];
      const refund = () => Promise.all(counted.map(([limiter, key]) => limiter.refund(key)));
      const wait = Math.max(0, ...taken.map((t) => t.retryAfterMs ?? 0));
      if (wait) {
        await refund();
        throw await throttled(started, wait, await actorOf(user, login), attempt);
      }

      let ok: boolean;
      try {
        ok = await deps.directory.verifyPassword(user, attempt.password);
      } catch (err) {
        await refund();
        throw await unavailable(err, attempt);
      }
      if (!ok) throw await fail(started, await actorOf(user, login), attempt, failedWarning(taken[0]!.left), 'invalid_credentials');

      // The person's own budget starts afresh. The address's counts failures only: this attempt is given back, but
      // what failed before stays counted (one valid account must not reset a sweep).
      await own[0].clear(own[1]);
      if (!known) await address[0].refund(address[1]);
      const device = known ?? { person: user!.id, device: randomBytes(16).toString('base64url') };
      const success = (sub: string | null): AuditEvent => ({
        event: 'signin.success', actor: sub, subject: sub, clientId: attempt.clientId ?? null, ip: attempt.ip, details: { amr: ['pwd'], acr: 'urn:satu-akun:loa:1', ...browserOf(attempt) },
      });
      try {
        // The account update and its audit record commit together, or not at all: in one statement when there is
        // nothing to decide (most sign-ins, on PostgreSQL), else in a transaction.
        const atOnce = await deps.accounts.signedInAtOnce(user!, (change) => deps.audit.recordAfter(change, success(null), { actor: 'sub', subject: 'sub' }));
        if (atOnce) return { account: atOnce, device };
        const account = await deps.knex.transaction(async (trx) => {
          const account = await deps.accounts.signedIn(user!, trx);
          await deps.audit.record(success(account.sub), trx);
          return account;
        });
        deps.accounts.remember(account);
        return { account, device };
      } catch (err) {
        if (err instanceof AppError && err.code.startsWith('error.account_')) throw await fail(started, await actorOf(user, login), attempt, err, err.code === 'error.account_disabled' ? 'account_disabled' : 'account_suspended');
        throw err;
      }
    },
  };
};

export type LoginService = ReturnType<typeof createLoginService>;
