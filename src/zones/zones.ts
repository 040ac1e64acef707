import { createHmac } from 'node:crypto';
import type { Config, ClientConfig } from '../config/schema.ts';
import { clientsFileSchema } from '../config/schema.ts';

/**
 * The parts of Satu Akun people use in a browser (DESIGN.md "Architecture"): each is an ordinary OIDC client of the
 * provider, registered at start-up, so its security level and access rule are enforced exactly as for any app.
 */
export const ZONES = {
  /** Staff: my account and my security. Everyone may enter; level 1, sensitive actions ask for level 3. */
  account: { clientId: 'satu-akun-portal', base: '/akun', level: 1 },
  /** App developers: register and manage apps. */
  developer: { clientId: 'satu-akun-developer', base: '/developer', level: 2 },
  /** Diskominfo: reviews, people, audit. Level 3, as the most sensitive app. */
  admin: { clientId: 'satu-akun-admin', base: '/admin', level: 3 },
} as const;

export type ZoneName = keyof typeof ZONES;
export type Zone = (typeof ZONES)[ZoneName];

/** Global roles that open the admin console. */
export const ADMIN_ROLES = ['administrator', 'reviewer', 'auditor', 'helpdesk', 'agencyAdministrator'] as const;

/**
 * The secret of an internal client: derived from the newest cookie key, so it is never configured, never stored and
 * changes when the keys rotate (both ends are this process).
 */
export const internalSecret = (cookieKey: string, clientId: string): string =>
  createHmac('sha256', cookieKey).update(`internal-client:${clientId}`).digest('base64url');

/** A global role's name as an app role (app roles are lower-case). */
export const appRoleOf = (role: keyof Config['roles']): string => role.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The internal clients as app registrations. The admin console and the developer portal are entered by holders of
 * global roles; those roles are mapped onto the clients' own roles so the ordinary access rule applies.
 */
export const internalClients = (config: Config, roles: Config['roles'], cookieKey: string): ClientConfig[] => {
  const logins = (names: readonly (keyof Config['roles'])[]) => Object.fromEntries(names.map((name) => [appRoleOf(name), roles[name].map((g) => g.login)]));
  const base = (zone: Zone) => ({
    client_id: zone.clientId,
    client_secret: internalSecret(cookieKey, zone.clientId),
    redirect_uris: [new URL(`${zone.base}/callback`, config.issuer).href],
    post_logout_redirect_uris: [new URL('/', config.issuer).href],
    scopes: ['openid', 'profile', 'email', 'nip', 'kepegawaian', 'roles'],
    level: zone.level,
    contact: `Diskominfo ${config.regency.name}`,
  });
  const developerAccess = config.portal.developers === 'all' ? { kind: 'all' as const } : { kind: 'roles' as const, roles: ['developer'] };
  return clientsFileSchema.parse([
    { ...base(ZONES.account), client_name: 'Satu Akun: Akun saya' },
    { ...base(ZONES.developer), client_name: 'Satu Akun: Portal pengembang', access: developerAccess, roles: logins(['developer']) },
    { ...base(ZONES.admin), client_name: 'Satu Akun: Konsol admin', access: { kind: 'roles', roles: ADMIN_ROLES.map(appRoleOf) }, roles: logins(ADMIN_ROLES) },
  ]);
};
