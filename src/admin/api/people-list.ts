import type { Account, AccountStatus } from '../../accounts/accounts.repo.ts';
import type { AccountsService } from '../../accounts/accounts.service.ts';
import { AppError } from '../../http/errors.ts';
import { agencyCode, type Agencies } from '../../roles/agencies.ts';
import type { RolesService } from '../../roles/roles.service.ts';
import type { Admin, PeopleService } from '../people.service.ts';
import { decodeCursor, encodeCursor } from './schemas.ts';

/** What a page of people is asked for: filters, where the previous page ended, and how many accounts to read. */
export interface PeopleQuery {
  status?: AccountStatus;
  agency?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

/**
 * The people Satu Akun holds an account for, a page at a time (issue 10 §7 `listPeople`), with the console's rules of
 * who sees whom: an administrator everyone; an agency administrator the people of their agency and its sub-units
 * (by the agency of their last sign-in) who hold no global role, as `PeopleService.find` decides for one person.
 */
export const createPeopleList = (deps: { people: PeopleService; accounts: AccountsService; agencies: Agencies; roles: RolesService }) => ({
  async list(admin: Admin, query: PeopleQuery): Promise<{ items: Account[]; nextCursor: string | null }> {
    const scope = deps.people.requireScope(admin, 'view');
    let agencies = query.agency ? [agencyCode(query.agency)] : undefined;
    if (!scope.everyone) {
      const mine = await deps.agencies.within(scope.agencies);
      if (agencies?.some((a) => !mine.has(a))) throw new AppError('admin.forbidden_agency', 403, { agencies: scope.agencies.join(', ') });
      agencies ??= [...mine];
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    // One row beyond the page says whether there is another.
    const rows = await deps.accounts.list({ ...(query.status ? { status: query.status } : {}), ...(agencies ? { agencies } : {}), ...(query.q ? { usernamePrefix: query.q } : {}) }, { ...(after ? { after } : {}), limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? encodeCursor(page.at(-1)!.sub) : null;
    if (scope.everyone) return { items: page, nextCursor };
    // Holders of a global role are the administrators' to manage: left out here as `find` refuses them.
    const held = await Promise.all(page.map(async (a) => (await deps.roles.globalRoles(a)).length > 0));
    return { items: page.filter((_, i) => !held[i]), nextCursor };
  },
});

export type PeopleList = ReturnType<typeof createPeopleList>;
