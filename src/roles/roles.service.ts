import type { Knex } from 'knex';
import type { Config } from '../config/schema.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { PersonCache } from '../accounts/person-cache.ts';
import type { Clock } from '../shared/clock.ts';
import type { RolesRepo } from './roles.repo.ts';
import type { AppRolesRepo } from './app-roles.repo.ts';

export type GlobalRole = keyof Config['roles'];

/** Every global role, in the order the console lists them. */
export const GLOBAL_ROLES: readonly GlobalRole[] = ['administrator', 'reviewer', 'auditor', 'helpdesk', 'developer', 'agencyAdministrator', 'leadership'];

export const isGlobalRole = (value: unknown): value is GlobalRole => typeof value === 'string' && (GLOBAL_ROLES as readonly string[]).includes(value);

/** Where a grant comes from: the configuration (bootstrap, break-glass), the console (SQL), a directory group. */
export type GrantSource = 'config' | 'console' | 'group';

export interface RoleGrant {
  role: GlobalRole;
  /** For agency administrators: the agency code they administer. */
  agency?: string;
  /** Absent for roles an actor is given in code (a system actor, a DCR request). */
  source?: GrantSource;
  /** The console grant's id. */
  id?: number;
  expiresAt?: Date | null;
}

/** Whom roles are asked about: their login (configuration), directory id (console grants), groups (at sign-in). */
export interface Person {
  username: string;
  directoryId: string;
  profile?: { groups?: string[] };
}

/** A person signed in to a zone together with the global roles they hold on this request. */
export interface Holder<A extends Person = Person> {
  account: A;
  roles: RoleGrant[];
}

const sameDn = (a: string, b: string) => a.replace(/\s*,\s*/g, ',').toLowerCase() === b.replace(/\s*,\s*/g, ',').toLowerCase();

/**
 * Who holds which role (DESIGN.md "Access and roles"). Global roles come from three places, read on every request so
 * a change takes effect at once: grants in SQL made in the console, the configuration's lists (the bootstrap and
 * break-glass path), and directory groups named in the configuration (the person's groups as read at sign-in). App
 * roles come from grants in SQL and from an app's configured holders; Satu Akun's own zones see global roles as their
 * app roles (`internal`: zone client id → the global roles it admits).
 */
export const createRolesService = (deps: {
  roles: Config['roles'];
  groups?: Partial<Record<GlobalRole, string[]>>;
  clients: ClientRegistry;
  repo: RolesRepo;
  appRoles: AppRolesRepo;
  clock: Clock;
  internal?: Record<string, readonly GlobalRole[]>;
  /** People signing in now, kept in process: their app roles come from there when they are. */
  people?: PersonCache;
}) => {
  /** The app roles a person holds in an app now: from the cache of people signing in when they are in it, else SQL. */
  const heldBy = async (directoryId: string, clientId: string): Promise<string[]> => {
    const now = deps.clock.now();
    const sub = deps.people?.subOf(directoryId);
    const apps = sub === undefined ? undefined : deps.people!.apps(sub);
    if (!apps) return deps.appRoles.heldBy(directoryId, clientId, now);
    const held = ((await apps).roles.get(clientId) ?? []).filter((r) => r.expiresAt === null || r.expiresAt > now.getTime());
    return [...new Set(held.map((r) => r.role))];
  };
  const configured = new Map<string, RoleGrant[]>();
  for (const [role, holders] of Object.entries(deps.roles) as [GlobalRole, { login: string; agency?: string }[]][]) {
    for (const holder of holders) {
      const key = holder.login.toLowerCase();
      configured.set(key, [...(configured.get(key) ?? []), { role, source: 'config', ...(holder.agency ? { agency: holder.agency } : {}) }]);
    }
  }
  const groupGrants = (groups: string[] | undefined): RoleGrant[] =>
    !groups?.length
      ? []
      : (Object.entries(deps.groups ?? {}) as [GlobalRole, string[]][])
          .filter(([role, dns]) => role !== 'agencyAdministrator' && dns.some((dn) => groups.some((g) => sameDn(g, dn))))
          .map(([role]) => ({ role, source: 'group' as const }));

  /** `trx`: read inside a transaction that is about to change them. */
  const globalRoles = async (person: Person, trx?: Knex.Transaction): Promise<RoleGrant[]> => {
    const stored = await deps.repo.liveFor(person.directoryId, deps.clock.now(), trx);
    return [
      ...(configured.get(person.username.toLowerCase()) ?? []),
      ...groupGrants(person.profile?.groups),
      // An agency administrator's grant flagged at a transfer waits for an administrator's review before it counts again.
      ...stored.filter((g) => isGlobalRole(g.role) && !(g.role === 'agencyAdministrator' && g.reviewNote)).map((g): RoleGrant => ({ role: g.role as GlobalRole, source: 'console', id: g.id, expiresAt: g.expiresAt, ...(g.agency ? { agency: g.agency } : {}) })),
    ];
  };

  return {
    globalRoles,

    /** The configuration's grants of a login (read-only in the console). */
    configured: (): { login: string; grants: RoleGrant[] }[] => [...configured.entries()].map(([login, grants]) => ({ login, grants })),

    /** The configured directory groups that grant roles. */
    groups: (): Partial<Record<GlobalRole, string[]>> => deps.groups ?? {},

    /** Roles a person holds in one app, released with the `roles` scope. */
    async appRoles(person: Person, clientId: string): Promise<string[]> {
      const zone = deps.internal?.[clientId];
      if (zone) {
        const held = new Set((await globalRoles(person)).map((g) => g.role));
        return zone.filter((r) => held.has(r)).map(appRoleOf).sort();
      }
      const app = await deps.clients.find(clientId);
      const name = person.username.toLowerCase();
      const fromConfig = Object.entries(app?.roles ?? {}).filter(([, holders]) => holders.some((h) => h.toLowerCase() === name)).map(([role]) => role);
      // A role the app no longer defines (a reviewed change removed it) is not released, even where still granted.
      const defined = new Set(app?.roleDefinitions.map((d) => d.name) ?? []);
      const granted = (await heldBy(person.directoryId, clientId)).filter((r) => defined.has(r));
      return [...new Set([...fromConfig, ...granted])].sort();
    },
  };
};

/** A global role's name as an app role of Satu Akun's own zones (app roles are lower-case). */
export const appRoleOf = (role: GlobalRole): string => role.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export type RolesService = ReturnType<typeof createRolesService>;
