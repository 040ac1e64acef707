import type { z } from 'zod';
import type { Account, StatusChange } from '../../accounts/accounts.repo.ts';
import type { App } from '../../clients/app.ts';
import type { DirectoryUser } from '../../directory/directory.ts';
import type { Agency } from '../../roles/agencies.ts';
import type { AppRoleGrant } from '../../roles/app-roles.repo.ts';
import type { AppRolesView } from '../../roles/app-roles.service.ts';
import type { RoleGrant } from '../../roles/roles.service.ts';
import type { StoredGrant } from '../../roles/roles.repo.ts';
import type { SessionView } from '../../sessions/sessions.service.ts';
import type { PersonDetails, PersonView } from '../people.service.ts';
import type {
  agencySchema,
  appRoleGrantSchema,
  appRolesSchema,
  personDetailsSchema,
  personSchema,
  personSummarySchema,
  sessionsPageSchema,
  storedRoleGrantSchema,
} from './schemas.ts';

/**
 * The services' values as the API's JSON: dates as ISO 8601 strings, nothing the schema does not name. Each function
 * returns its schema's type, so a field the document promises cannot go missing unnoticed.
 */

type Out<S extends z.ZodType> = z.input<S>;

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

const statusChangeOf = (c: StatusChange | undefined) => (c ? { reason: c.reason, until: isoOrNull(c.until), at: isoOrNull(c.at), by: c.by } : null);

export const personSummary = (a: Account): Out<typeof personSummarySchema> => ({
  sub: a.sub,
  username: a.username,
  name: a.profile.name,
  ...(a.profile.email ? { email: a.profile.email } : {}),
  ...(a.profile.agencyCode ? { agencyCode: a.profile.agencyCode } : {}),
  ...(a.profile.agencyName ? { agencyName: a.profile.agencyName } : {}),
  ...(a.profile.position ? { position: a.profile.position } : {}),
  status: a.status,
  statusChange: statusChangeOf(a.statusChange),
  createdAt: iso(a.createdAt),
  lastSignInAt: isoOrNull(a.lastLoginAt),
});

const directoryRecord = (p: DirectoryUser) => ({
  id: p.id,
  username: p.username,
  name: p.name,
  ...(p.givenName ? { givenName: p.givenName } : {}),
  ...(p.familyName ? { familyName: p.familyName } : {}),
  ...(p.email ? { email: p.email } : {}),
  ...(p.nip ? { nip: p.nip } : {}),
  employeeType: p.employeeType,
  ...(p.agencyCode ? { agencyCode: p.agencyCode } : {}),
  ...(p.agencyName ? { agencyName: p.agencyName } : {}),
  ...(p.position ? { position: p.position } : {}),
  ...(p.grade ? { grade: p.grade } : {}),
});

export const person = (view: PersonView): Out<typeof personSchema> => ({
  person: directoryRecord(view.person),
  account: view.account
    ? { sub: view.account.sub, status: view.account.status, statusChange: statusChangeOf(view.account.statusChange), createdAt: iso(view.account.createdAt), lastSignInAt: isoOrNull(view.account.lastLoginAt) }
    : null,
  factors: view.factors
    ? {
        authenticatorApp: !!view.factors.totp,
        passkeys: view.factors.passkeys.map((p) => ({ name: p.name, createdAt: iso(p.createdAt), lastUsedAt: isoOrNull(p.lastUsedAt) })),
        recoveryCodesLeft: view.factors.recoveryCodesLeft,
        any: view.factors.any,
      }
    : null,
  may: { ...view.may },
});

const roleGrant = (g: RoleGrant) => ({
  role: g.role,
  ...(g.agency ? { agency: g.agency } : {}),
  ...(g.source ? { source: g.source } : {}),
  ...(g.id !== undefined ? { id: g.id } : {}),
  ...(g.expiresAt !== undefined ? { expiresAt: isoOrNull(g.expiresAt) } : {}),
});

/** A person's app roles: assignments in SQL (active and pending) and the clients file's holders. */
export const appRolesOfPerson = (person: DirectoryUser, grants: AppRoleGrant[], apps: App[]): Out<typeof personDetailsSchema>['appRoles'] => {
  const names = new Map(apps.map((a) => [a.clientId, a.name]));
  const username = person.username.toLowerCase();
  const configured = apps.flatMap((a) =>
    Object.entries(a.roles)
      .filter(([, holders]) => holders.some((h) => h.toLowerCase() === username))
      .map(([role]) => ({ clientId: a.clientId, app: a.name, role, source: 'config' as const, state: 'active' as const })),
  );
  const assigned = grants.map((g) => ({ clientId: g.clientId, app: names.get(g.clientId) ?? g.clientId, role: g.role, source: 'console' as const, state: g.state, grantId: g.id, expiresAt: isoOrNull(g.expiresAt) }));
  return [...assigned, ...configured];
};

export const personDetails = (view: PersonView, details: PersonDetails, appRoles: Out<typeof personDetailsSchema>['appRoles']): Out<typeof personDetailsSchema> => ({
  ...person(view),
  roles: details.roles.map(roleGrant),
  appRoles,
  apps: details.apps.map((a) => ({ clientId: a.clientId, name: details.appNames[a.clientId] ?? a.clientId, firstSignInAt: iso(a.firstAt), lastSignInAt: iso(a.lastAt) })),
  lastSignInAt: isoOrNull(view.account?.lastLoginAt),
  sessions: details.sessions,
  recentAttempts: details.attempts.map((r) => ({ at: new Date(r.at).toISOString(), event: r.event, clientId: r.client_id, ip: r.ip })),
});

const DEVICE_KINDS = { 'sessions.kind.mobile': 'mobile', 'sessions.kind.tablet': 'tablet', 'sessions.kind.desktop': 'desktop' } as const;

export const sessionsPage = (page: { total: number; sessions: SessionView[] }, offset: number, limit: number): Out<typeof sessionsPageSchema> => ({
  total: page.total,
  offset,
  limit,
  sessions: page.sessions.map((s) => {
    const kind = s.device.kind && s.device.kind in DEVICE_KINDS ? DEVICE_KINDS[s.device.kind as keyof typeof DEVICE_KINDS] : undefined;
    return {
      uid: s.uid,
      startedAt: iso(s.startedAt),
      lastActiveAt: iso(s.lastActiveAt),
      expiresAt: iso(s.expiresAt),
      device: { ...(s.device.browser ? { browser: s.device.browser } : {}), ...(s.device.os ? { os: s.device.os } : {}), ...(kind ? { kind } : {}) },
      ...(s.ip ? { ip: s.ip } : {}),
      level: s.level,
      apps: s.apps,
    };
  }),
});

export const storedGrant = (g: StoredGrant): Out<typeof storedRoleGrantSchema> => ({
  id: g.id,
  login: g.login,
  role: g.role,
  agency: g.agency,
  reason: g.reason,
  grantedBy: g.grantedBy,
  grantedAt: iso(g.grantedAt),
  expiresAt: isoOrNull(g.expiresAt),
  revokedAt: isoOrNull(g.revokedAt),
  revokedBy: g.revokedBy,
  revokeReason: g.revokeReason,
  reviewNote: g.reviewNote,
});

export const configuredGrants = (list: { login: string; grants: RoleGrant[] }[]) => list.map((c) => ({ login: c.login, grants: c.grants.map(roleGrant) }));

export const appRoleGrant = (g: AppRoleGrant): Out<typeof appRoleGrantSchema> => ({
  id: g.id,
  clientId: g.clientId,
  role: g.role,
  login: g.login,
  agency: g.agency,
  reason: g.reason,
  grantedBy: g.grantedBy,
  grantedAt: iso(g.grantedAt),
  expiresAt: isoOrNull(g.expiresAt),
  state: g.state,
  approvedBy: g.approvedBy,
  approvedAt: isoOrNull(g.approvedAt),
  revokedAt: isoOrNull(g.revokedAt),
  revokedBy: g.revokedBy,
  revokeReason: g.revokeReason,
  reviewNote: g.reviewNote,
});

export const appRoles = (view: AppRolesView): Out<typeof appRolesSchema> => ({
  app: { clientId: view.app.clientId, name: view.app.name, level: view.app.level, ...(view.app.agency ? { agency: view.app.agency } : {}) },
  definitions: view.definitions.map((d) => ({ name: d.name, description: d.description })),
  grants: view.grants.map(appRoleGrant),
  assigns: view.assigns.everyone ? { everyone: true } : { everyone: false, agencies: [...view.assigns.agencies] },
  twoPerson: view.twoPerson,
});

export const agency = (a: Agency): Out<typeof agencySchema> => ({ code: a.code, name: a.name, parentCode: a.parentCode, active: a.active, source: a.source, updatedAt: iso(a.updatedAt) });
