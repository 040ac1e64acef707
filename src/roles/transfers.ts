import type { Knex } from 'knex';
import type { Account, Profile } from '../accounts/accounts.repo.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Agencies } from './agencies.ts';
import type { AppRolesRepo } from './app-roles.repo.ts';
import type { RolesRepo } from './roles.repo.ts';

/**
 * What follows a change of a person's record in the directory, seen at sign-in (Kapuas Art. 9(5), staff transfers and
 * promotions): a new agency code joins the agency list, and when the agency or the position changed, the person's
 * agency-scoped global roles and the app roles granted under another agency are flagged for review by the new
 * agency's administrator (kept, not silently dropped), audited as `account.transferred`. All in the sign-in's
 * transaction.
 */
export const createTransfers = (deps: { roles: RolesRepo; appRoles: AppRolesRepo; agencies: Agencies; audit: AuditService; clock: Clock }) =>
  async (account: Account, before: Profile | undefined, after: Profile, trx?: Knex.Transaction): Promise<void> => {
    if (!before || before.agencyCode !== after.agencyCode) await deps.agencies.seen(after.agencyCode, after.agencyName, trx);
    if (!before || (before.agencyCode === after.agencyCode && before.position === after.position)) return;
    const now = deps.clock.now();
    const note = `${before.agencyCode ?? '—'} → ${after.agencyCode ?? '—'}${before.position !== after.position ? `; ${before.position ?? '—'} → ${after.position ?? '—'}` : ''}`;
    const moved = before.agencyCode !== after.agencyCode;
    const flagged = moved
      ? (await deps.roles.flagForReview(account.directoryId, note, now, trx)) + (await deps.appRoles.flagForReview(account.directoryId, after.agencyCode?.toUpperCase().slice(0, 64) ?? null, note, now, trx))
      : 0;
    const side = (p: Profile) => ({ ...(p.agencyCode ? { agency: p.agencyCode } : {}), ...(p.position ? { position: p.position } : {}) });
    await deps.audit.record({ event: 'account.transferred', actor: null, subject: account.sub, details: { from: side(before), to: side(after), flagged } }, trx);
  };

export type Transfers = ReturnType<typeof createTransfers>;
