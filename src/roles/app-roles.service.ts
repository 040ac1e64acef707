import type { Knex } from 'knex';
import { lockFor } from '../db/knex.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { App, ClientRegistry } from '../clients/app.ts';
import { canEdit, type Actor } from '../clients/app-policy.ts';
import type { AppsRepo } from '../clients/apps.repo.ts';
import type { Directory, DirectoryUser } from '../directory/directory.ts';
import { AppError } from '../http/errors.ts';
import { resetReason, type ChangeContext } from '../mfa/factors.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { Agencies } from './agencies.ts';
import type { AppRoleGrant, AppRolesRepo } from './app-roles.repo.ts';
import type { RolesService } from './roles.service.ts';

/** What an app's page of roles shows: the app, the roles it defines, who holds them, and what the viewer may do. */
export interface AppRolesView {
  app: App;
  definitions: { name: string; description: string }[];
  grants: AppRoleGrant[];
  /** The viewer may assign roles: to anyone (`everyone`), or to the staff of these agencies. */
  assigns: { everyone: true } | { everyone: false; agencies: string[] };
  /** Level-3 apps need a second person's approval for every assignment. */
  twoPerson: boolean;
}

/** Who assigns: a zone's actor, and whether they act as an app's owner (the developer portal) or from the console. */
export type AppRolesActor = Actor & { asOwner?: boolean };

export interface AppRoleRequest {
  clientId: string;
  role: string;
  login: string;
  reason: unknown;
  until?: Date;
}

const GRANT_MAX_DAYS = 5 * 366;

/**
 * App roles assigned to people (issue 10 §5): by the app's owners (its agency's people and whoever registered it) and
 * administrators, to anyone; by agency administrators, to their agency's staff (and sub-units). Only roles the app
 * defines; nobody assigns a role to themselves; in a level-3 app an assignment waits for a second person who may also
 * assign it (two-person rule), and only then reaches the `roles` claim and the access rule. Every change is audited.
 */
export const createAppRolesService = (deps: {
  knex: Knex;
  repo: AppRolesRepo;
  apps: AppsRepo;
  clients: ClientRegistry;
  roles: RolesService;
  agencies: Agencies;
  directory: Directory;
  accounts: AccountsService;
  audit: AuditService;
  clock: Clock;
}) => {
  /**
   * Whom `actor` may assign roles to in `app`, or undefined when nobody. An app's owner (whoever registered it, still
   * able to edit it) assigns in the developer portal (`asOwner`); in the console only administrators and agency
   * administrators do: an auditor or the helpdesk assigns nothing, whatever their agency's apps.
   */
  const assignsIn = async (actor: AppRolesActor, app: App): Promise<AppRolesView['assigns'] | undefined> => {
    if (actor.roles.some((g) => g.role === 'administrator')) return { everyone: true };
    if (actor.asOwner) {
      const row = await deps.apps.findApp(app.clientId);
      if (row && row.ownerSub === actor.sub && canEdit(actor, row)) return { everyone: true };
    }
    const own = actor.roles.filter((g) => g.role === 'agencyAdministrator' && g.agency).map((g) => g.agency!);
    return own.length ? { everyone: false, agencies: [...(await deps.agencies.within(own))] } : undefined;
  };

  const appOf = async (clientId: string): Promise<App> => {
    const app = typeof clientId === 'string' && clientId.length <= 255 ? await deps.clients.find(clientId) : undefined;
    if (!app || app.satuAkunZone) throw new AppError('app_roles.app_not_found', 404);
    return app;
  };

  const requireAssigns = async (actor: AppRolesActor, app: App) => {
    const assigns = await assignsIn(actor, app);
    if (!assigns) throw new AppError('app_roles.forbidden', 403);
    return assigns;
  };

  const covers = (assigns: AppRolesView['assigns'], person: { agencyCode?: string | undefined }) =>
    assigns.everyone || (!!person.agencyCode && assigns.agencies.includes(person.agencyCode.toUpperCase()));

  const subjectOf = async (directoryId: string) => (await deps.accounts.findByDirectoryId(directoryId))?.sub ?? `directory:${directoryId}`;

  return {

    /** The roles page of one app, for someone who may assign in it (403 otherwise). */
    async view(actor: AppRolesActor, clientId: string): Promise<AppRolesView> {
      const app = await appOf(clientId);
      const assigns = await requireAssigns(actor, app);
      const all = await deps.repo.ofApp(app.clientId, deps.clock.now());
      // Agency administrators see the holders they may manage; owners and administrators see everyone.
      const grants = assigns.everyone ? all : all.filter((g) => g.agency && assigns.agencies.includes(g.agency));
      return { app, definitions: app.roleDefinitions, grants, assigns, twoPerson: app.level >= 3 };
    },

    /** Assigns `role` in the app to the person `login` names; pending in a level-3 app. 400/403/404/409. */
    async grant(actor: AppRolesActor, request: AppRoleRequest, ctx: ChangeContext): Promise<AppRoleGrant> {
      const app = await appOf(request.clientId);
      const assigns = await requireAssigns(actor, app);
      if (!app.roleDefinitions.some((d) => d.name === request.role)) throw new AppError('app_roles.unknown_role', 400);
      const reason = resetReason(request.reason);
      const person: DirectoryUser | null = request.login && request.login.length <= 256 ? await deps.directory.findUser(request.login) : null;
      if (!person) throw new AppError('admin.people.not_found', 404, { login: request.login.slice(0, 64) });
      const self = (await deps.accounts.findByDirectoryId(person.id))?.sub === actor.sub;
      if (self) throw new AppError('app_roles.self', 403);
      if (!covers(assigns, person)) throw new AppError('app_roles.forbidden_agency', 403);
      // Agency administrators act on no one holding a global role, in app roles as in everything else.
      if (!assigns.everyone && (await deps.roles.globalRoles({ username: person.username, directoryId: person.id, profile: { groups: person.groups } })).length) {
        throw new AppError('app_roles.forbidden_agency', 403);
      }
      const now = deps.clock.now();
      if (request.until && !(request.until > now && request.until.getTime() - now.getTime() <= GRANT_MAX_DAYS * 86_400_000)) throw new AppError('roles.until_invalid', 400);
      const twoPerson = app.level >= 3;
      const fields = {
        clientId: app.clientId,
        role: request.role,
        directoryId: person.id,
        login: person.username,
        agency: person.agencyCode?.toUpperCase().slice(0, 64) ?? null,
        reason,
        grantedBy: actor.sub,
        grantedAt: now,
        expiresAt: request.until ?? null,
        state: twoPerson ? ('pending' as const) : ('active' as const),
      };
      const subject = await subjectOf(person.id);
      const id = await deps.knex.transaction(async (trx) => {
        // Checked under the person's lock: the same assignment sent twice at once is made once.
        await lockFor(trx, `app-role-grants:${app.clientId}:${person.id}`);
        const open = await deps.repo.ofApp(app.clientId, now, person.id, trx);
        if (open.some((g) => g.role === request.role)) throw new AppError('app_roles.already', 409);
        const id = await deps.repo.insert(fields, trx);
        await deps.audit.record(
          {
            event: 'app_role.granted',
            actor: actor.sub,
            subject,
            clientId: app.clientId,
            ip: ctx.ip,
            details: { grantId: id, role: request.role, reason, ...(request.until ? { expiresAt: request.until.toISOString() } : {}), pending: twoPerson },
          },
          trx,
        );
        return id;
      });
      return { ...fields, id, approvedBy: null, approvedAt: null, revokedAt: null, revokedBy: null, revokeReason: null, reviewNote: null };
    },

    /** The second person's approval of a pending assignment: someone else than who asked, and not the holder. */
    async approve(actor: AppRolesActor, id: number, ctx: ChangeContext): Promise<AppRoleGrant> {
      const grant = Number.isSafeInteger(id) ? await deps.repo.find(id) : undefined;
      if (!grant) throw new AppError('app_roles.not_found', 404);
      const app = await appOf(grant.clientId);
      const assigns = await requireAssigns(actor, app);
      if (!covers(assigns, { agencyCode: grant.agency ?? undefined })) throw new AppError('app_roles.forbidden_agency', 403);
      if (grant.grantedBy === actor.sub) throw new AppError('app_roles.second_person', 403);
      const subject = await subjectOf(grant.directoryId);
      if (subject === actor.sub) throw new AppError('app_roles.self', 403);
      await deps.knex.transaction(async (trx) => {
        if (!(await deps.repo.approve(id, actor.sub, deps.clock.now(), trx))) throw new AppError('app_roles.not_pending', 409);
        await deps.audit.record({ event: 'app_role.approved', actor: actor.sub, subject, clientId: grant.clientId, ip: ctx.ip, details: { grantId: id, role: grant.role } }, trx);
      });
      return { ...grant, state: 'active', approvedBy: actor.sub };
    },

    /** Ends an assignment (or withdraws a pending one), with a reason. */
    async revoke(actor: AppRolesActor, id: number, rawReason: unknown, ctx: ChangeContext): Promise<AppRoleGrant> {
      const reason = resetReason(rawReason);
      const grant = Number.isSafeInteger(id) ? await deps.repo.find(id) : undefined;
      if (!grant) throw new AppError('app_roles.not_found', 404);
      const app = await appOf(grant.clientId);
      const assigns = await requireAssigns(actor, app);
      if (!covers(assigns, { agencyCode: grant.agency ?? undefined })) throw new AppError('app_roles.forbidden_agency', 403);
      const subject = await subjectOf(grant.directoryId);
      await deps.knex.transaction(async (trx) => {
        if (!(await deps.repo.revoke(id, actor.sub, reason, deps.clock.now(), trx))) throw new AppError('app_roles.ended_already', 409);
        await deps.audit.record({ event: 'app_role.revoked', actor: actor.sub, subject, clientId: grant.clientId, ip: ctx.ip, details: { grantId: id, role: grant.role, reason } }, trx);
      });
      return grant;
    },

    /** Keeps an assignment flagged at a transfer (the new agency's administrator reviewed it): the flag goes, audited. */
    async keep(actor: AppRolesActor, id: number, ctx: ChangeContext): Promise<void> {
      const grant = Number.isSafeInteger(id) ? await deps.repo.find(id) : undefined;
      if (!grant?.reviewNote) throw new AppError('app_roles.not_found', 404);
      const app = await appOf(grant.clientId);
      const assigns = await requireAssigns(actor, app);
      if (!covers(assigns, { agencyCode: grant.agency ?? undefined })) throw new AppError('app_roles.forbidden_agency', 403);
      const subject = await subjectOf(grant.directoryId);
      if (subject === actor.sub) throw new AppError('app_roles.self', 403);
      await deps.knex.transaction(async (trx) => {
        if (!(await deps.repo.keep(id, trx))) throw new AppError('app_roles.not_found', 404);
        await deps.audit.record({ event: 'app_role.kept', actor: actor.sub, subject, clientId: grant.clientId, ip: ctx.ip, details: { grantId: id, role: grant.role, note: grant.reviewNote! } }, trx);
      });
    },

    /** The apps in which `actor` may assign roles (for the console's list), with their defined roles. */
    async appsFor(actor: Actor): Promise<App[]> {
      const apps = (await deps.clients.list()).filter((a) => !a.satuAkunZone && a.roleDefinitions.length);
      const allowed = await Promise.all(apps.map(async (a) => !!(await assignsIn(actor, a))));
      return apps.filter((_, i) => allowed[i]);
    },
  };
};

export type AppRolesService = ReturnType<typeof createAppRolesService>;
