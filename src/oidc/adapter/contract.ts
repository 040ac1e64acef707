import { errors, type Adapter, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';

/** One page of a person's entries of one model, and how many live entries they have in all. */
export interface AccountPage {
  total: number;
  entries: { id: string; payload: AdapterPayload }[];
}

/** What the app asks of the store beyond oidc-provider's contract: a person's sessions and grants, without a scan. */
export interface AccountIndexed {
  /**
   * One page of the live entries of this model whose payload names `accountId`, latest expiry first (entries that
   * never expire before all others); `total` counts every live entry of the account, not just the page. Payloads
   * carry `consumed` as `find` returns them. Always empty for a model outside ACCOUNT_INDEXED_MODELS.
   */
  byAccount(accountId: string, page: { offset: number; limit: number }): Promise<AccountPage>;
}

/** What the provider's `adapter` option receives, plus housekeeping the app schedules. */
export interface OidcAdapterClass extends AdapterConstructor {
  new (model: string): Adapter & AccountIndexed;
  /** Deletes expired entries and returns how many; a no-op where the store expires entries itself (Redis). */
  prune(): Promise<number>;
}

/**
 * Models whose entries belong to a grant and are revoked with it. Same list as oidc-provider's own memory adapter:
 * an Interaction also carries a grantId, but revoking the grant must not delete an interaction in progress.
 */
export const GRANTABLE_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/**
 * Models whose entries are indexed by the person they belong to (`payload.accountId`), so a person's SSO sessions
 * and grants can be listed and ended. Other models carry `accountId` too, but are reached through their grant.
 */
export const ACCOUNT_INDEXED_MODELS: ReadonlySet<string> = new Set(['Session', 'Grant']);

/** The model that records a grant itself: destroying it invalidates every token of the grant, even one saved later. */
export const GRANT_MODEL = 'Grant';

// oidc-provider's own wording for a sequential reuse (helpers/grant_source.js, actions/grants/refresh_token.js).
const REUSE_MESSAGES: Record<string, string> = {
  AuthorizationCode: 'authorization code already consumed',
  RefreshToken: 'refresh token already used',
  DeviceCode: 'device code already consumed',
  BackchannelAuthenticationRequest: 'backchannel authentication request already consumed',
  PreAuthorizedCode: 'pre-authorized code already consumed',
};

/**
 * What `consume` throws when it loses a race: the entry was consumed (or removed) after the provider read it.
 * oidc-provider checks `consumed` on the copy it read, so the store is the only place that can tell; the store has
 * already revoked the grant, and the token endpoint answers `invalid_grant` exactly as for a sequential reuse
 * (RFC 6749 §4.1.2, OAuth 2.0 Security BCP §4.14).
 */
export const reuseDetected = (model: string) => new errors.InvalidGrant(REUSE_MESSAGES[model] ?? `${model} already consumed`);
