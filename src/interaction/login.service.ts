import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Account } from '../accounts/accounts.repo.ts';
import type { AuditService } from '../audit/audit.service.ts';
import { DirectoryUnavailableError, type Directory } from '../directory/directory.ts';
import { AppError, errors } from '../http/errors.ts';
import type { ThrottleService } from '../throttle/throttle.service.ts';
import type { Logger } from '../shared/logger.ts';

export interface PasswordAttempt {
  login: string;
  password: string;
  ip: string;
  clientId?: string;
}

/** Failed sign-ins answer no sooner than this, so an unknown login and a wrong password take the same time. */
export const FAILURE_FLOOR_MS = 400;

/**
 * Password sign-in as a list of steps: throttle → directory → account → audit. A wrong password and an unknown login
 * are the same failure to the person; a directory outage is a different page and never counts as a failed attempt.
 */
export const createLoginService = (deps: {
  knex: Knex;
  directory: Directory;
  accounts: AccountsService;
  throttle: ThrottleService;
  audit: AuditService;
  logger: Logger;
  failureFloorMs?: number;
}) => {
  const floor = deps.failureFloorMs ?? FAILURE_FLOOR_MS;

  const fail = async (started: number, attempt: PasswordAttempt, error: AppError, reason: 'invalid_credentials' | 'throttled' | 'account_disabled') => {
    await deps.audit.record({ event: 'signin.failure', actor: attempt.login.slice(0, 256), clientId: attempt.clientId ?? null, ip: attempt.ip, details: { reason } });
    const left = floor - (Date.now() - started);
    if (left > 0) await sleep(left);
    return error;
  };

  return {
    /** Verifies a password sign-in; resolves to the account or rejects with an `AppError` to show. */
    async withPassword(attempt: PasswordAttempt): Promise<Account> {
      const started = Date.now();
      const login = attempt.login.trim();
      if (!login || !attempt.password) throw new AppError('login.missing', 400);

      const verdict = await deps.throttle.check(login, attempt.ip);
      if (verdict.retryAfterSeconds) {
        throw await fail(started, attempt, new AppError('login.throttled', 429, { minutes: Math.ceil(verdict.retryAfterSeconds / 60) }), 'throttled');
      }

      let user;
      try {
        user = await deps.directory.authenticate(login, attempt.password);
      } catch (err) {
        if (!(err instanceof DirectoryUnavailableError)) throw err;
        deps.logger.error({ err }, 'directory unavailable during sign-in');
        await deps.audit.record({ event: 'signin.directory_unavailable', actor: login.slice(0, 256), clientId: attempt.clientId ?? null, ip: attempt.ip });
        throw errors.directoryUnavailable();
      }
      if (!user) {
        await deps.throttle.failed(login, attempt.ip);
        throw await fail(started, attempt, new AppError('login.failed', 401), 'invalid_credentials');
      }

      await deps.throttle.succeeded(login, attempt.ip);
      try {
        // The account update and its audit record commit together, or not at all.
        return await deps.knex.transaction(async (trx) => {
          const account = await deps.accounts.signedIn(user, trx);
          await deps.audit.record({ event: 'signin.success', actor: account.sub, subject: account.sub, clientId: attempt.clientId ?? null, ip: attempt.ip, details: { amr: ['pwd'], acr: 'urn:satu-akun:loa:1' } }, trx);
          return account;
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'error.account_disabled') throw await fail(started, attempt, err, 'account_disabled');
        throw err;
      }
    },
  };
};

export type LoginService = ReturnType<typeof createLoginService>;
