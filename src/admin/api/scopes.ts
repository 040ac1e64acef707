/**
 * Scopes of the admin API (issue 10 §7), granted to an app in the clients file or by Diskominfo's review. They carry no
 * claims: they open `/admin/api/v1` to the app's client-credentials tokens, and nothing else.
 */
export const ADMIN_SCOPES = ['admin:people:read', 'admin:people:write', 'admin:roles:write', 'admin:sessions:write'] as const;

export type AdminScope = (typeof ADMIN_SCOPES)[number];

export const isAdminScope = (value: string): value is AdminScope => (ADMIN_SCOPES as readonly string[]).includes(value);
