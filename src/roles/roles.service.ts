import type { Config } from '../config/schema.ts';
import type { ClientRegistry } from '../clients/app.ts';

export type GlobalRole = keyof Config['roles'];

export interface RoleGrant {
  role: GlobalRole;
  /** For agency administrators: the agency code they administer. */
  agency?: string;
}

/**
 * Who holds which role. Global roles are granted in configuration until the administration console manages them;
 * app roles come from each app's registration. Usernames compare case-insensitively, as the directory does.
 */
export const createRolesService = (deps: { roles: Config['roles']; clients: ClientRegistry }) => {
  const grants = new Map<string, RoleGrant[]>();
  for (const [role, holders] of Object.entries(deps.roles) as [GlobalRole, { login: string; agency?: string }[]][]) {
    for (const holder of holders) {
      const key = holder.login.toLowerCase();
      grants.set(key, [...(grants.get(key) ?? []), { role, ...(holder.agency ? { agency: holder.agency } : {}) }]);
    }
  }
  return {
    /** Global roles of a person, by directory username. */
    globalRoles: (username: string): RoleGrant[] => grants.get(username.toLowerCase()) ?? [],

    hasRole: (username: string, role: GlobalRole): boolean =>
      (grants.get(username.toLowerCase()) ?? []).some((g) => g.role === role),

    /** Roles a person holds in one app, released with the `roles` scope. */
    async appRoles(username: string, clientId: string): Promise<string[]> {
      const app = await deps.clients.find(clientId);
      const name = username.toLowerCase();
      return Object.entries(app?.roles ?? {})
        .filter(([, holders]) => holders.some((h) => h.toLowerCase() === name))
        .map(([role]) => role)
        .sort();
    },
  };
};

export type RolesService = ReturnType<typeof createRolesService>;
