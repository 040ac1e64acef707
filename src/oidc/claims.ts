import type { KoaContextWithOIDC } from 'oidc-provider';
import { fromEndedSession, type AccountsService } from '../accounts/accounts.service.ts';
import type { Account } from '../accounts/accounts.repo.ts';
import type { RolesService } from '../roles/roles.service.ts';
import { ADMIN_SCOPES } from '../admin/api/scopes.ts';

/** Scopes and the claims each releases (DESIGN.md, "Data released to apps"). `sub` is opaque, never the NIP. */
export const SCOPE_CLAIMS = {
  // Claims about the authentication itself, always available (oidc-provider's defaults, plus `amr`).
  acr: null,
  amr: null,
  auth_time: null,
  sid: null,
  iss: null,
  // oidc-provider puts `acr`/`amr`/`auth_time` in ID tokens only when asked; every app gets them here (DESIGN.md).
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: ['name', 'given_name', 'family_name'],
  email: ['email', 'email_verified'],
  nip: ['nip', 'employee_type'],
  kepegawaian: ['agency_code', 'agency_name', 'position', 'grade'],
  roles: ['roles'],
} as const;

/**
 * Every scope the provider knows. The admin API's scopes release no claims; they must be listed all the same: oidc-provider
 * checks a requested scope against the app's allowed ones only when it knows the scope, and would hand an unknown one
 * to any app asking for it in client credentials.
 */
export const SCOPES = [...Object.entries(SCOPE_CLAIMS).filter(([, claims]) => claims).map(([scope]) => scope), 'offline_access', ...ADMIN_SCOPES];

/** oidc-provider's `findAccount`: the account behind a `sub`, with every claim; the provider filters by scope. */
export const createFindAccount =
  (deps: { accounts: AccountsService; roles: RolesService; stillThere: (account: Account) => Promise<boolean> }) => async (ctx: KoaContextWithOIDC, sub: string) => {
    const account = await deps.accounts.find(sub);
    if (!account || account.status !== 'active') return undefined;
    // Anything from a session that signed in before every session of the person was ended is refused, even a session a
    // request already under way saved back after it was deleted (the code and refresh token carry its sign-in time).
    const { entities, session } = ctx.oidc ?? {};
    const own = session?.accountId === sub ? session : undefined;
    const authTime = (entities?.AuthorizationCode?.authTime ?? entities?.RefreshToken?.authTime ?? own?.loginTs) as number | undefined;
    const sessionUid = (entities?.AuthorizationCode?.sessionUid ?? entities?.RefreshToken?.sessionUid ?? own?.uid) as string | undefined;
    if (fromEndedSession(account, { authTime, sessionUid })) return undefined;
    // A refresh is where a long-lived app notices that a person left: the directory is asked (cached for a minute).
    if (ctx.oidc?.params?.grant_type === 'refresh_token' && !(await deps.stillThere(account))) return undefined;
    const p = account.profile;
    return {
      accountId: sub,
      async claims() {
        const clientId = ctx.oidc.client?.clientId;
        return {
          sub,
          name: p.name,
          given_name: p.givenName,
          family_name: p.familyName,
          email: p.email,
          email_verified: p.email ? true : undefined,
          nip: p.nip,
          employee_type: p.employeeType,
          agency_code: p.agencyCode,
          agency_name: p.agencyName,
          position: p.position,
          grade: p.grade,
          roles: clientId ? await deps.roles.appRoles(account, clientId) : [],
        };
      },
    };
  };
