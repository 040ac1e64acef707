import Provider, { errors, type Adapter, type AdapterFactory, type AdapterPayload, type Configuration, type JWK, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { SecretHasher } from '../clients/secrets.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Render } from '../http/render.ts';
import type { Logger } from '../shared/logger.ts';
import type { Clock } from '../shared/clock.ts';
import { isInfrastructureError } from '../shared/infrastructure.ts';
import { SCOPE_CLAIMS, SCOPES, createFindAccount } from './claims.ts';
import { createLoadExistingGrant } from './grants.ts';
import { createProviderPages } from './pages.ts';
import { createTtl } from './ttl.ts';
import { ACR_VALUES } from '../levels/levels.ts';
import { DEFAULT_SIGNING_ALG } from './signing-algs.ts';
import { createInteractionPolicy } from './policy.ts';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { Account } from '../accounts/accounts.repo.ts';
import type { RolesService } from '../roles/roles.service.ts';
import type { AccessService } from '../access/access.service.ts';


export interface ProviderDeps {
  config: Config;
  cookieKeys: string[];
  signingKeys: JWK[];
  /** Storage for oidc-provider's own models (sessions, grants, tokens, ...): one adapter per model name. */
  adapterFor: (model: string) => Adapter;
  clients: ClientRegistry;
  /** Checks a presented client secret against an app's stored hashes. */
  secrets: SecretHasher;
  accounts: AccountsService;
  /** Whether the directory still holds this person (false: they left, and their access has just been ended). */
  stillThere: (account: Account) => Promise<boolean>;
  roles: RolesService;
  access: AccessService;
  consent: ConsentService;
  audit: AuditService;
  clock: Clock;
  render: Render;
  logger: Logger;
}

/** A store outage inside the provider: redirected to the app, or answered, as `temporarily_unavailable` (503). */
const unavailable = (cause: unknown) => {
  const err = new errors.TemporarilyUnavailable('the service is temporarily unavailable, try again shortly', { cause });
  Object.assign(err, { status: 503, statusCode: 503 });
  return err;
};

/** Wraps a hook or store call so an infrastructure failure becomes `temporarily_unavailable`, not `server_error`. */
const guarded = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
  try {
    return await fn(...args);
  } catch (err) {
    throw isInfrastructureError(err) ? unavailable(err) : err;
  }
};

const guardAdapter = (adapter: Adapter): Adapter => {
  const methods = ['upsert', 'find', 'findByUserCode', 'findByUid', 'consume', 'destroy', 'revokeByGrantId'] as const;
  const wrapped = Object.fromEntries(methods.map((m) => [m, guarded((adapter[m] as (...a: unknown[]) => Promise<unknown>).bind(adapter))]));
  return wrapped as unknown as Adapter;
};

/** Apps are never stored by oidc-provider: the `Client` model reads the registry, the source of truth. */
const clientAdapter = (clients: ClientRegistry): Adapter => {
  const readOnly = async () => {
    throw new Error('apps are managed by Satu Akun, not through the provider');
  };
  return {
    find: async (id) => (await clients.find(id))?.metadata,
    upsert: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
  };
};

/** Models whose entries an app holds: revoked together when the app is suspended or retired. */
const APP_HELD_MODELS = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode', 'ClientCredentials', 'Grant', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/**
 * Revocation of everything an app holds, without an index per app in the store: an entry issued at or before the
 * app's `tokensRevokedAt` reads as absent (the registry is in memory, so this costs no round trip).
 */
const revocable = (adapter: Adapter, clients: ClientRegistry): Adapter => {
  const find = adapter.find.bind(adapter);
  return Object.assign(Object.create(adapter) as Adapter, {
    async find(id: string) {
      const payload = await find(id);
      const clientId = payload?.clientId;
      if (!payload || !clientId || typeof payload.iat !== 'number') return payload;
      const revokedAt = (await clients.find(clientId))?.tokensRevokedAt;
      return revokedAt !== undefined && payload.iat <= revokedAt ? undefined : payload;
    },
  });
};

/**
 * A session is stamped, at every save, with where and when it was last used (`seen`: address, browser, time), which
 * the person's and the console's session lists show. oidc-provider keeps the request in `Provider.ctx`.
 */
const stampSeen = (adapter: Adapter, clock: Clock): Adapter => {
  const upsert = adapter.upsert.bind(adapter);
  return Object.assign(Object.create(adapter) as Adapter, {
    upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const ctx = Provider.ctx;
      if (!ctx) return upsert(id, payload, expiresIn);
      const ua = ctx.get('user-agent').slice(0, 512);
      const seen = { ip: ctx.ip, ...(ua ? { ua } : {}), at: Math.floor(clock.now().getTime() / 1000) };
      return upsert(id, { ...payload, seen }, expiresIn);
    },
  });
};

/**
 * The SSO session cookie (its value: the session id), signed with the app's cookie keys like every cookie of ours.
 * With an https issuer it is `__Host-` (Secure, Path=/, no Domain): a sibling sub-domain cannot plant a session.
 */
export const ssoCookieName = (issuer: string): string => (issuer.startsWith('https://') ? '__Host-sa_session' : 'sa_session');

const ownTokensOnly = async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Outgoing requests (back-channel logout, JWKS by URI). oidc-provider refuses loopback and private addresses against
 * SSRF; outside production the demo apps on localhost must still receive back-channel logouts.
 */
const outgoingFetch = (env: Config['env']) => (url: string | URL | Request, options?: RequestInit & { dispatcher?: unknown }) => {
  const target = url instanceof Request ? url.url : url;
  if (env !== 'production' && options && LOOPBACK.has(new URL(target).hostname)) {
    const { dispatcher: _ssrfGuard, ...rest } = options;
    return globalThis.fetch(url, rest);
  }
  return globalThis.fetch(url, options);
};

/**
 * The paths oidc-provider answers (its default routes, which Satu Akun keeps): authorization, token (with
 * introspection and revocation), userinfo, keys, end session, discovery. Requests to them skip Satu Akun's own routers.
 */
const PROVIDER_PATHS = ['/auth', '/token', '/me', '/jwks', '/session/end', '/request', '/device', '/backchannel'];
export const isProviderPath = (path: string): boolean =>
  path.startsWith('/.well-known/') || PROVIDER_PATHS.some((p) => path === p || (path.startsWith(p) && path[p.length] === '/'));

/** Builds the OpenID Connect provider. Every option is here; each hook is a call into a service. */
export const createProvider = (deps: ProviderDeps): Provider => {
  const { config } = deps;
  const pages = createProviderPages(deps);
  const clientStore = clientAdapter(deps.clients);
  const adapter = (name: string) => {
    const store = name === 'Client' ? clientStore : name === 'Session' ? stampSeen(deps.adapterFor(name), deps.clock) : deps.adapterFor(name);
    return guardAdapter(APP_HELD_MODELS.has(name) ? revocable(store, deps.clients) : store);
  };
  const cookie = { signed: true, httpOnly: true, sameSite: 'lax' as const };

  const configuration: Configuration = {
    adapter: adapter as unknown as AdapterFactory,
    findAccount: guarded(createFindAccount(deps)),
    loadExistingGrant: guarded(createLoadExistingGrant(deps)),
    jwks: { keys: deps.signingKeys },
    cookies: {
      keys: deps.cookieKeys,
      names: { session: ssoCookieName(deps.config.issuer), interaction: 'sa_interaction', resume: 'sa_resume' },
      long: cookie,
      short: cookie,
    },
    claims: SCOPE_CLAIMS as unknown as Configuration['claims'],
    scopes: SCOPES,
    acrValues: ACR_VALUES,
    // Served by Satu Akun itself (src/clients/dcr.routes.ts): registrations go through Diskominfo's review.
    discovery: { claim_types_supported: ['normal'], ui_locales_supported: ['id', 'en'], registration_endpoint: new URL('/register', config.issuer).href },
    responseTypes: ['code'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      // OIDC Dynamic Client Registration §2: an app that names no algorithm gets RS256, which every library supports.
      id_token_signed_response_alg: DEFAULT_SIGNING_ALG,
    },
    // Secrets are stored hashed, so nothing may use one as a key: no client_secret_jwt, no HS* algorithms.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    // ID tokens: oidc-provider signs with the first key of the app's algorithm (by `alg`/`kty`), so RS256 and ES256
    // keys live side by side; discovery lists the algorithms that have a key. EdDSA only with a configured Ed25519 key.
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'EdDSA'], clientAuthSigningAlgValues: ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] },
    features: {
      devInteractions: { enabled: false },
      // An app may introspect and revoke only its own tokens; APIs of other apps are a later decision.
      introspection: { enabled: true, allowedPolicy: ownTokensOnly },
      revocation: { enabled: true, allowedPolicy: ownTokensOnly },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      // The `claims` parameter (OIDC Core 5.5), for an `acr` in the ID token: it raises the level like `acr_values`
      // (src/levels/levels.ts). Other claims it names are released only as the app's approved scopes release them.
      claimsParameter: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: pages.logoutSource, postLogoutSuccessSource: pages.postLogoutSuccessSource },
    },
    // Refresh tokens are issued to apps allowed the grant, rotated at every use; a reused one revokes its grant.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: createInteractionPolicy(deps) },
    renderError: pages.renderError as Configuration['renderError'],
    fetch: outgoingFetch(config.env),
    ttl: createTtl(config) as Configuration['ttl'],
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  // The hook oidc-provider's author points to for hashed secrets (panva/node-oidc-provider#631): the client's own
  // comparison, replaced by a check against the app's stored hashes, which honours a rotation's overlap.
  const clientPrototype = provider.Client.prototype as unknown as { compareClientSecret(this: { clientId: string }, actual: string): Promise<boolean> };
  clientPrototype.compareClientSecret = async function (actual) {
    const app = await deps.clients.find(this.clientId);
    return !!app && deps.secrets.matches(app.secrets, actual, deps.clock.now());
  };
  // Logout is audited in the request (not from an event) so the record is written before the response; a sign-in to
  // an app (a code issued) is recorded as the person's last sign-in to it, which they and the console see.
  provider.use(async (ctx, next) => {
    await next();
    const { oidc } = ctx as KoaContextWithOIDC;
    if (oidc?.route === 'end_session_confirm' && oidc.params?.logout && oidc.session?.accountId) {
      await deps.audit.record({ event: 'logout', actor: oidc.session.accountId, subject: oidc.session.accountId, clientId: oidc.client?.clientId ?? null, ip: ctx.ip });
    }
    const code = (oidc?.route === 'authorization' || oidc?.route === 'resume') && oidc.entities.AuthorizationCode;
    if (code && code.accountId && code.clientId) deps.accounts.recordAppSignIn(code.accountId, code.clientId);
  });
  provider.on('backchannel.error', (_ctx: unknown, err: Error, client: { clientId: string }) => deps.logger.warn({ err, clientId: client.clientId }, 'back-channel logout failed'));
  provider.on('server_error', (ctx: KoaContextWithOIDC, err: Error) => deps.logger.error({ err, path: ctx.path }, 'provider server error'));
  return provider;
};
