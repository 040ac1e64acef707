import type { Profile } from './accounts.repo.ts';

/** Where a person's name is read from: the account's profile snapshot of the directory, taken at each sign-in. */
export interface AccountProfiles {
  find(sub: string): Promise<{ profile: Pick<Profile, 'name' | 'agencyName' | 'agencyCode'> } | undefined>;
}

/**
 * Names the people behind opaque `sub`s for a history or a review page (issue 12 §4): "Dewi Lestari (Dinas
 * Kesehatan)", from each account's profile snapshot, each account read once. A `sub` without an account is left out
 * of the map, for the page to name by role.
 */
export const personNames = async (accounts: AccountProfiles, subs: Iterable<string | null | undefined>): Promise<Map<string, string>> => {
  const names = new Map<string, string>();
  for (const sub of new Set(subs)) {
    if (!sub || sub === 'system') continue;
    const profile = (await accounts.find(sub))?.profile;
    if (!profile) continue;
    const agency = profile.agencyName ?? profile.agencyCode;
    names.set(sub, agency ? `${profile.name} (${agency})` : profile.name);
  }
  return names;
};
