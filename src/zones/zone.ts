import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import * as oidc from 'openid-client';
import type { Account } from '../accounts/accounts.repo.ts';
import { fromEndedSession, type AccountsService } from '../accounts/accounts.service.ts';
import { AppError } from '../http/errors.ts';
import { csrfToken, verifyCsrf } from '../http/csrf.ts';
import type { TimeZone } from '../http/form-fields.ts';
import { jsonCookie } from '../http/json-cookie.ts';
import { acrOf, levelOf } from '../levels/levels.ts';
import type { Clock } from '../shared/clock.ts';
import { ssoCookieName } from '../oidc/provider.ts';
import { isInfrastructureError } from '../shared/infrastructure.ts';
import type { Logger } from '../shared/logger.ts';
import { SIGNED_OUT_PATH, ZONE_SIGNING_ALG, type Zone } from './zones.ts';
import type { GlobalRole, RoleGrant, RolesService } from '../roles/roles.service.ts';

/** The person signed in to a zone, as its session cookie remembers them. */
interface ZoneSession {
  sub: string;
  /** The SSO session this sign-in belongs to: when it ends (logout, expiry), so does the zone's. */
  sessionUid: string;
  idToken: string;
  acr: string;
  amr: string[];
  /** When the zone signed in (epoch seconds): level 3 counts from here. */
  at: number;
  /** When the person last typed their password, on this zone's clock (epoch seconds). */
  passwordAt?: number;
}

/** Who is signed in to this request's zone, with what. Set by `requireUser` on `ctx.state.user`. */
export interface ZoneUser {
  account: Account;
  acr: string;
  amr: string[];
  /** Level 3 was proven within the last `FRESH_MINUTES`: sensitive actions may proceed. */
  fresh: boolean;
  /** The password was typed within the last `FRESH_MINUTES` (or `fresh`): sensitive reads may proceed. */
  recent: boolean;
  /** The SSO session (its `uid`) this browser is signed in with. */
  sessionUid: string;
  /** The global roles the person holds on this request (read anew every time: a change counts at once). */
  roles: RoleGrant[];
}

/** Sensitive actions need level 3 proven this recently. */
export const FRESH_MINUTES = 15;
const PENDING_MINUTES = 10;

/**
 * A zone of Satu Akun's own pages (my account, developer portal, admin console) signed in through the provider as an
 * ordinary OIDC client: authorization code + PKCE with openid-client, the same levels and access rules as any app.
 * The token request goes to this process directly (`localOrigin`), not through the public URL, which a server behind
 * a reverse proxy often cannot reach itself.
 */
export const createZone = (deps: {
  zone: Zone;
  secret: string;
  issuer: string;
  provider: Provider;
  accounts: AccountsService;
  roles: RolesService;
  /** Global roles that open this zone (checked on every request, so a removed role shuts it at once); none: everyone. */
  admits?: readonly GlobalRole[];
  /** The regency's time zone, for end dates typed on the zone's forms. */
  timeZone?: TimeZone;
  clock: Clock;
  logger: Logger;
  /** Where this process listens, once it does. */
  localOrigin: () => string | undefined;
}) => {
  const { zone } = deps;
  const name = `sa${zone.base.replace('/', '_')}`;
  const ssoCookie = ssoCookieName(deps.issuer);
  const sessionCookie = jsonCookie<ZoneSession>(name, { path: zone.base, sameSite: 'lax' });
  const pendingCookie = jsonCookie<{ verifier: string; state: string; nonce: string; next: string }>(`${name}_login`, { path: zone.base, sameSite: 'lax' });
  const redirectUri = new URL(`${zone.base}/callback`, deps.issuer).href;
  const issuerOrigin = new URL(deps.issuer).origin;
  const now = () => Math.floor(deps.clock.now().getTime() / 1000);

  /** Requests to the issuer go to this process; the proxy headers keep the URLs the provider computes public. */
  const localFetch: oidc.CustomFetch = (url, custom) => {
    const options = custom as RequestInit;
    const target = new URL(url);
    const local = deps.localOrigin();
    if (!local || target.origin !== issuerOrigin) return fetch(url, options);
    const headers = new Headers(options.headers);
    headers.set('x-forwarded-proto', new URL(deps.issuer).protocol.replace(':', ''));
    headers.set('x-forwarded-host', target.host);
    return fetch(new URL(target.pathname + target.search, local), { ...options, headers });
  };

  // Built from the provider's own metadata: no discovery request, and the issuer is exactly the configured one.
  const config = new oidc.Configuration(
    {
      issuer: deps.issuer,
      authorization_endpoint: deps.provider.urlFor('authorization'),
      token_endpoint: deps.provider.urlFor('token'),
      jwks_uri: deps.provider.urlFor('jwks'),
      end_session_endpoint: deps.provider.urlFor('end_session'),
    },
    zone.clientId,
    { id_token_signed_response_alg: ZONE_SIGNING_ALG },
    oidc.ClientSecretBasic(deps.secret),
  );
  config[oidc.customFetch] = localFetch;
  if (deps.issuer.startsWith('http://')) oidc.allowInsecureRequests(config);

  /** A return path inside this zone, never elsewhere (no open redirect). */
  const safeNext = (value: unknown): string =>
    typeof value === 'string' && (value === zone.base || value.startsWith(`${zone.base}/`)) && !value.includes('//') && !value.includes('\\') ? value : zone.base;


  /**
   * Sends the browser to sign in, coming back to `next`. `fresh` asks for level 3 (both factors now); `recent` for the
   * password typed within the window, whatever the person's factors (`max_age` a minute short of the zone's own check,
   * so the two clocks never disagree into a loop).
   */
  const startLogin = async (ctx: Context, next: string, ask?: 'fresh' | 'recent') => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    pendingCookie.set(ctx, { verifier, state, nonce, next }, PENDING_MINUTES * 60_000);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email nip kepegawaian roles',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      // Level 3 means both factors proven within the app's window (15 minutes): exactly what a sensitive action needs.
      ...(ask === 'fresh' ? { acr_values: acrOf(3) } : {}),
      ...(ask === 'recent' ? { max_age: String(FRESH_MINUTES * 60 - 60) } : {}),
    });
    ctx.redirect(url.href);
  };

  const router = new Router({ prefix: zone.base });

  router.get('/masuk', async (ctx) => startLogin(ctx, safeNext(ctx.query.next), ctx.query.fresh === '1' ? 'fresh' : undefined));

  router.get('/callback', async (ctx) => {
    // No code, a wrong iss, a replayed or expired code: a clear page that offers to sign in again, never a 500.
    const incomplete = new AppError('portal.signin_incomplete', 400, {}, `${zone.base}/masuk`);
    const pending = pendingCookie.take(ctx);
    if (!pending || ctx.query.state !== pending.state) throw incomplete;
    // The person cancelled, or was refused (the provider has already shown them why).
    if (ctx.query.error) throw new AppError('portal.signin_cancelled', 403, {}, `${zone.base}/masuk`);
    const tokens = await oidc
      .authorizationCodeGrant(config, new URL(ctx.originalUrl, deps.issuer), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce })
      .catch((err: unknown) => {
        // A store outage stays a 503 (the error handler's), not the person's problem.
        if (isInfrastructureError(err) || (err as { error?: unknown }).error === 'temporarily_unavailable') throw err;
        deps.logger.info({ err: (err as Error).message, zone: zone.clientId }, 'zone callback refused');
        throw incomplete;
      });
    const claims = tokens.claims()!;
    // In-process lookup of which SSO session issued the token: the zone's session lives only as long as that one.
    const accessToken = await deps.provider.AccessToken.find(tokens.access_token);
    if (!accessToken?.sessionUid) throw incomplete;
    const session: ZoneSession = {
      sub: claims.sub,
      sessionUid: accessToken.sessionUid,
      idToken: tokens.id_token!,
      acr: String(claims.acr ?? acrOf(1)),
      amr: (claims.amr as string[] | undefined) ?? [],
      at: now(),
      // The ID token's auth_time is on the provider's clock (the real one): only the age it gives is carried over, so
      // a zone on another clock (tests) never disagrees with the provider about `max_age` into a loop.
      ...(typeof claims.auth_time === 'number' ? { passwordAt: now() - Math.max(0, Math.floor(Date.now() / 1000) - claims.auth_time) } : {}),
    };
    sessionCookie.set(ctx, session);
    ctx.redirect(pending.next);
  });

  router.post('/keluar', bodyParser({ enableTypes: ['form'], formLimit: '4kb' }), async (ctx) => {
    verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
    const session = sessionCookie.take(ctx);
    ctx.status = 303;
    ctx.redirect(session ? oidc.buildEndSessionUrl(config, { id_token_hint: session.idToken, post_logout_redirect_uri: new URL(SIGNED_OUT_PATH, deps.issuer).href }).href : SIGNED_OUT_PATH);
  });

  /** The signed-in person, or a redirect to sign in (GET) / a session-expired error (forms). */
  const requireUser = async (ctx: Context, next: Next) => {
    const session = sessionCookie.get(ctx);
    // Bound to this browser's own SSO session: a zone cookie copied or planted from elsewhere names another one.
    const ssoId = ctx.cookies.get(ssoCookie, { signed: true });
    const sso = session && ssoId ? await deps.provider.Session.find(ssoId) : undefined;
    const found = sso && sso.uid === session!.sessionUid && sso.accountId === session!.sub ? await deps.accounts.find(session!.sub) : undefined;
    const account = found && !fromEndedSession(found, { authTime: sso!.loginTs, sessionUid: sso!.uid }) ? found : undefined;
    if (!session || !account || account.status !== 'active') {
      if (session) sessionCookie.clear(ctx);
      if (ctx.method !== 'GET') throw new AppError('error.session_expired', 400);
      // The whole address, query included: a deep link (a person's page) survives signing in.
      return startLogin(ctx, safeNext(ctx.url));
    }
    const fresh = levelOf(session.acr) >= 3 && now() - session.at <= FRESH_MINUTES * 60;
    const recent = fresh || (session.passwordAt !== undefined && now() - session.passwordAt <= FRESH_MINUTES * 60);
    const user: ZoneUser = { account, acr: session.acr, amr: session.amr, fresh, recent, sessionUid: session.sessionUid, roles: await deps.roles.globalRoles(account) };
    ctx.state.user = user;
    ctx.state.page = { user, zone: zone.base, path: ctx.path, csrf: csrfToken(ctx) };
    return next();
  };

  /** Sends the person to prove both factors now, then back to `next` (a page of this zone). */
  const stepUp = (ctx: Context, next: string) => startLogin(ctx, safeNext(next), 'fresh');

  return {
    base: zone.base,
    admits: deps.admits,
    timeZone: deps.timeZone ?? 'WIB',
    routes: () => router.routes(),
    requireUser,
    stepUp,
    /**
     * The one step-up rule of every sensitive change: unless both factors were proven within the last 15 minutes, the
     * person is sent to prove them and come back to `page`. True when they were sent (the route stops there):
     * `if (await zone.requireFresh(ctx, page)) return;`
     */
    async requireFresh(ctx: Context, page: string): Promise<boolean> {
      if ((ctx.state.user as ZoneUser).fresh) return false;
      await stepUp(ctx, page);
      return true;
    },
    /**
     * For reading what is sensitive rather than changing it (a person's download of their own data): unless the
     * password was typed within the last 15 minutes, the person types it again and comes back to `page`. No second
     * factor is demanded of someone who has none.
     */
    async requireRecent(ctx: Context, page: string): Promise<boolean> {
      if ((ctx.state.user as ZoneUser).recent) return false;
      await startLogin(ctx, safeNext(page), 'recent');
      return true;
    },
  };
};

export type ZoneAuth = ReturnType<typeof createZone>;
