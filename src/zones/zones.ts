import { createHmac } from 'node:crypto';
import type { Config, ClientConfig } from '../config/schema.ts';
import { clientsFileSchema } from '../config/schema.ts';
import { appRoleOf, type GlobalRole } from '../roles/roles.service.ts';

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

/**
 * Satu Akun's own pages verify their ID tokens with openid-client, which supports ES256: they keep it (smaller and
 * faster than RS256), stated in their registration so the provider signs with it.
 */
export const ZONE_SIGNING_ALG = 'ES256' as const;
export type Zone = (typeof ZONES)[ZoneName];

/** Global roles that open the admin console. Leadership enter it for the usage reports only (every other page refuses them). */
export const ADMIN_ROLES: readonly GlobalRole[] = ['administrator', 'reviewer', 'auditor', 'helpdesk', 'agencyAdministrator', 'leadership'];

/**
 * Whether `roles` are leadership's only (issue 13 §2): such a person enters the console for the usage reports, and
 * every console page that does not name `leadership` among its roles refuses them (see `zoneRouter`).
 */
export const readsReportsOnly = (roles: readonly { role: GlobalRole }[]): boolean => roles.length > 0 && roles.every((g) => g.role === 'leadership');

/**
 * The secret of an internal client: derived from the newest cookie key, so it is never configured, never stored and
 * changes when the keys rotate (both ends are this process).
 */
export const internalSecret = (cookieKey: string, clientId: string): string =>
  createHmac('sha256', cookieKey).update(`internal-client:${clientId}`).digest('base64url');

/**
 * The global roles each zone admits, as the zone client's app roles (`RolesService.appRoles` maps them), so the
 * ordinary access rule applies to Satu Akun's own pages too.
 */
export const ZONE_ROLES: Record<string, readonly GlobalRole[]> = { [ZONES.admin.clientId]: ADMIN_ROLES, [ZONES.developer.clientId]: ['developer'] };

/** Where Satu Akun's own pages land after signing out: a page that says so (the front page would not). */
export const SIGNED_OUT_PATH = '/keluar';

/** The internal clients as app registrations. The admin console and the developer portal are entered by holders of global roles. */
export const internalClients = (config: Config, cookieKey: string): ClientConfig[] => {
  const base = (zone: Zone) => ({
    client_id: zone.clientId,
    client_secret: internalSecret(cookieKey, zone.clientId),
    redirect_uris: [new URL(`${zone.base}/callback`, config.issuer).href],
    post_logout_redirect_uris: [new URL(SIGNED_OUT_PATH, config.issuer).href],
    scopes: ['openid', 'profile', 'email', 'nip', 'kepegawaian', 'roles'],
    level: zone.level,
    id_token_signed_response_alg: ZONE_SIGNING_ALG,
    contact: `Diskominfo ${config.regency.name}`,
  });
  const developerAccess = config.portal.developers === 'all' ? { kind: 'all' as const } : { kind: 'roles' as const, roles: ['developer'] };
  return clientsFileSchema.parse([
    { ...base(ZONES.account), client_name: 'Satu Akun: Akun saya' },
    { ...base(ZONES.developer), client_name: 'Satu Akun: Portal pengembang', access: developerAccess },
    { ...base(ZONES.admin), client_name: 'Satu Akun: Konsol admin', access: { kind: 'roles', roles: ADMIN_ROLES.map(appRoleOf) } },
  ]);
};
