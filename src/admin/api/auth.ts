import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Account } from '../../accounts/accounts.repo.ts';
import type { ClientRegistry } from '../../clients/app.ts';
import type { Actor } from '../../clients/app-policy.ts';
import type { RoleGrant } from '../../roles/roles.service.ts';
import type { Admin } from '../people.service.ts';
import { ApiProblem, problemType } from './problem.ts';
import { ADMIN_SCOPES, type AdminScope } from './scopes.ts';

/** The app calling the API, and who it acts as for the services the console uses. */
export interface ApiClient {
  clientId: string;
  /** The admin scopes its token carries and its approval (still) grants. */
  scopes: ReadonlySet<AdminScope>;
  /** A clients-file app acts for everyone (as an administrator); a registered app for its owning agency only. */
  everyone: boolean;
  agency?: string;
  /** As the people and global-roles services see it: a synthetic account `client:<clientId>` and its roles. */
  admin: Admin;
  /** As the app-roles service sees it (no `agency`: an API app is never one of an app's owners). */
  actor: Actor;
}

/** Bearer tokens as RFC 6750 §2.1 allows them (b64token), of a sane length. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,4096}=*)$/i;
const REALM = 'realm="Satu Akun admin API"';

/**
 * Who an app acts as (issue 10 §7): a synthetic person `client:<clientId>` who can never match a real account (so
 * "nobody acts on themselves" holds), holding the administrator role (a clients-file app: the regency's own
 * automation) or the agency administrator role of the app's owning agency (a registered app), so the services apply
 * exactly the console's rules: an agency-scoped app never grants global roles nor touches holders of one.
 */
export const actingAs = (clientId: string, name: string, fromClientsFile: boolean, agency: string | undefined, ip: string): { admin: Admin; actor: Actor } => {
  const id = `client:${clientId}`;
  const roles: RoleGrant[] = fromClientsFile ? [{ role: 'administrator', source: 'config' }] : agency ? [{ role: 'agencyAdministrator', agency }] : [];
  const account: Account = {
    sub: id,
    directoryId: id,
    username: id,
    status: 'active',
    profile: { username: id, name, employeeType: 'non_asn' },
    createdAt: new Date(0),
    lastLoginAt: null,
  };
  return { admin: { account, roles }, actor: { sub: id, username: id, roles, ip } };
};

/**
 * Authentication of the admin API: an access token from the client-credentials grant, looked up in the provider's
 * own store (no round trip to ourselves), of an app that is still active and whose approval still grants the scopes.
 */
export const createApiAuth = (deps: { provider: Provider; clients: ClientRegistry; configured: ClientRegistry; base: string }) => {
  /** 401 (RFC 6750 §3.1): no error code when no token was presented at all, `invalid_token` for a bad one. */
  const unauthenticated = (detail: string, error?: 'invalid_token') =>
    new ApiProblem(
      { type: problemType(deps.base, error ?? 'missing_token'), title: 'Unauthorized', status: 401, detail, code: error ?? 'missing_token' },
      { 'WWW-Authenticate': error ? `Bearer ${REALM}, error="${error}", error_description="${detail.replace(/["\\]/g, '')}"` : `Bearer ${REALM}` },
    );

  const invalid = (detail: string) => unauthenticated(detail, 'invalid_token');

  return {
    /** The calling app, or a 401 problem. */
    async authenticate(ctx: Context): Promise<ApiClient> {
      const header = ctx.get('authorization');
      if (!header) throw unauthenticated('An access token is required: the client-credentials grant of an app granted admin scopes.');
      const value = BEARER.exec(header)?.[1];
      if (!value) throw invalid('The Authorization header must carry a Bearer access token.');
      const token = await deps.provider.ClientCredentials.find(value);
      if (!token || token.kind !== 'ClientCredentials' || token.isExpired || !token.clientId) throw invalid('The access token is unknown, expired or revoked.');
      // Bearer only: a sender-constrained token without its proof is no token at all (RFC 9449 §7.1).
      if (token.isSenderConstrained()) throw invalid('The access token is sender-constrained; this API accepts Bearer tokens only.');
      const app = await deps.clients.find(token.clientId);
      // A suspended or retired app is no longer in the registry; its tokens were revoked when it was (`tokensRevokedAt`).
      if (!app || app.satuAkunZone || (app.tokensRevokedAt !== undefined && (token.iat ?? 0) <= app.tokensRevokedAt)) throw invalid('The app of this access token is not active.');
      if (!app.metadata.grant_types?.includes('client_credentials')) throw invalid('The app of this access token may not use the client-credentials grant.');
      // Scopes its approval no longer grants (a change request approved with fewer) count for nothing at once.
      const granted = new Set(app.scopes);
      const scopes = new Set(ADMIN_SCOPES.filter((s) => token.scopes.has(s) && granted.has(s)));
      const fromClientsFile = !!(await deps.configured.find(app.clientId));
      const agency = app.agency?.trim().toUpperCase() || undefined;
      return { clientId: app.clientId, scopes, everyone: fromClientsFile, ...(agency ? { agency } : {}), ...actingAs(app.clientId, app.name, fromClientsFile, agency, ctx.ip) };
    },

    /** A 403 `insufficient_scope` (RFC 6750 §3.1) unless `client`'s token carries `scope`. */
    requireScope(client: ApiClient, scope: AdminScope): void {
      if (client.scopes.has(scope)) return;
      throw new ApiProblem(
        { type: problemType(deps.base, 'insufficient_scope'), title: 'Forbidden', status: 403, detail: `This operation needs an access token with the scope ${scope}.`, code: 'insufficient_scope' },
        { 'WWW-Authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"` },
      );
    },
  };
};

export type ApiAuth = ReturnType<typeof createApiAuth>;
