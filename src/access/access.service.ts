import type { Account } from '../accounts/accounts.repo.ts';
import type { App } from '../clients/app.ts';
import type { RolesService } from '../roles/roles.service.ts';

/** Who may enter which app (DESIGN.md "Access and roles"): the app's rule applied to the signed-in person. */
export const createAccessService = (deps: { roles: RolesService }) => ({
  async allows(app: App, account: Account): Promise<boolean> {
    const rule = app.access;
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    switch (rule.kind) {
      case 'all':
        return true;
      case 'agencies':
        return !!account.profile.agencyCode && rule.agencies.some((code) => same(code, account.profile.agencyCode!));
      case 'users':
        return rule.users.some((user) => same(user, account.username));
      case 'roles': {
        const held = await deps.roles.appRoles(account, app.clientId);
        return rule.roles.some((role) => held.includes(role));
      }
    }
  },
});

export type AccessService = ReturnType<typeof createAccessService>;
