import type { ClientMetadata } from 'oidc-provider';
import type { AccessRule } from '../config/schema.ts';
import { HASHED_SECRET, type App } from './app.ts';
import type { AppRow, VersionRow } from './apps.repo.ts';
import { appRolesOf, signingAlgOf, usesSecret, type Registration } from './registration.schema.ts';
import type { StoredSecret } from './secrets.ts';

/** What a reviewer decided about a version. Only an approval carries the level and the data granted. */
export interface Decision {
  outcome: 'approved' | 'rejected' | 'changes_requested';
  reason: string;
  /** The final security level (the reviewer's, not the requested one). */
  level?: 1 | 2 | 3;
  /** Scopes granted: the requested ones or fewer. */
  scopes?: string[];
  /** Redirect and post-logout URIs outside the policy that the reviewer accepted explicitly. */
  acceptedExceptions?: string[];
  /** Level 3: minutes within which both factors must have been proven. */
  maxFactorAgeMinutes?: number;
  networks?: string[];
  access?: AccessRule;
  /**
   * The regency's own app (issue 11 §6), as decided with this approval. The app's current mark is `AppRow.firstParty`:
   * a reviewer may change it later without a new version.
   */
  firstParty?: boolean;
  /** App roles (role → usernames) until app owners manage them in the portal; the demo apps carry theirs here. */
  roles?: Record<string, string[]>;
}

export type LiveVersion = VersionRow<Registration, Decision>;

const isCustomScheme = (uri: string) => !/^https?:/i.test(uri);

/** The standard client metadata (RFC 7591 §2) a registration describes, with `scope` as given. */
export const standardMetadata = (r: Registration, scope: string) => ({
  client_name: r.name,
  redirect_uris: r.redirect_uris,
  post_logout_redirect_uris: r.post_logout_redirect_uris,
  grant_types: r.grant_types,
  response_types: r.grant_types.includes('authorization_code') ? ['code' as const] : [],
  token_endpoint_auth_method: r.token_endpoint_auth_method,
  id_token_signed_response_alg: signingAlgOf(r),
  scope,
  ...(r.jwks_uri ? { jwks_uri: r.jwks_uri } : {}),
  ...(r.jwks ? { jwks: r.jwks as ClientMetadata['jwks'] } : {}),
  ...(r.backchannel_logout_uri ? { backchannel_logout_uri: r.backchannel_logout_uri } : {}),
});

/**
 * The app as the provider sees it: the developer's registration as approved, narrowed by the reviewer's decision.
 * Only approved data reaches the tokens (`scope` is the granted scopes, not the requested ones).
 */
export const liveApp = (row: AppRow, version: LiveVersion, secrets: StoredSecret[]): App => {
  const r = version.registration;
  const d = version.decision!;
  const scopes = d.scopes ?? ['openid'];
  const metadata: ClientMetadata = {
    client_id: row.clientId,
    ...standardMetadata(r, scopes.join(' ')),
    // RFC 8252: a mobile app's private-use scheme makes it a native app for oidc-provider's redirect checks.
    ...(r.redirect_uris.some(isCustomScheme) ? { application_type: 'native' as const } : {}),
    ...(usesSecret(r.token_endpoint_auth_method) ? { client_secret: HASHED_SECRET } : {}),
    ...(r.backchannel_logout_uri ? { backchannel_logout_session_required: true } : {}),
  };
  return {
    clientId: row.clientId,
    name: r.name,
    description: r.description,
    agency: row.agency,
    level: d.level ?? 1,
    maxFactorAgeMinutes: d.maxFactorAgeMinutes ?? 15,
    networks: d.networks ?? [],
    demo: row.source === 'demo',
    satuAkunZone: false,
    firstParty: row.firstParty,
    scopes,
    purposes: Object.fromEntries(r.scopes.flatMap((s) => (s.purpose ? [[s.scope, s.purpose]] : []))),
    roles: d.roles ?? {},
    roleDefinitions: appRolesOf(r),
    access: d.access ?? { kind: 'all' },
    contact: `${r.responsible_name}, ${r.responsible_email}`,
    secrets,
    ...(row.tokensRevokedAt ? { tokensRevokedAt: row.tokensRevokedAt } : {}),
    metadata,
  };
};
