import { createHash, randomBytes } from 'node:crypto';
import { BENCH_REDIRECT_URI, BENCH_SCOPE, BENCH_SECRET } from './clients.ts';
import { basicAuth, CookieJar, send, type Reply } from './http.ts';

const random = () => randomBytes(32).toString('base64url');
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';
const UA = 'satu-akun-bench';

/** One client-credentials grant by the `bench-machine` app; throws unless an access token comes back. */
export const clientCredentials = async (issuer: string): Promise<void> => {
  const res = await send(new URL('/token', issuer), 'POST', { authorization: basicAuth('bench-machine', BENCH_SECRET), 'content-type': FORM, 'user-agent': UA }, form({ grant_type: 'client_credentials' }));
  if (res.status !== 200 || !res.body.includes('"access_token"')) throw new Error(`client_credentials: ${res.status} ${res.body.slice(0, 200)}`);
};

/** A browser tab: one cookie jar, redirects followed by hand until a page or the app's callback. */
class Tab {
  readonly jar = new CookieJar();
  constructor(private readonly issuer: string) {}

  /** Fetches `url` (a form post when `fields` are given) and follows redirects; the callback URL is not fetched. */
  async open(url: string, fields?: Record<string, string>): Promise<{ url: URL; page?: Reply }> {
    let target = new URL(url, this.issuer);
    let body = fields && form(fields);
    for (let hop = 0; hop < 20; hop++) {
      const headers: Record<string, string> = { cookie: this.jar.header(target.pathname), 'user-agent': UA };
      if (body !== undefined) headers['content-type'] = FORM;
      const res = await send(target, body === undefined ? 'GET' : 'POST', headers, body);
      this.jar.store(res.headers['set-cookie'] as string[] | undefined);
      const location = res.headers.location;
      if (res.status < 300 || res.status >= 400 || typeof location !== 'string') return { url: target, page: res };
      target = new URL(location, target);
      body = undefined;
      if (target.href.startsWith(BENCH_REDIRECT_URI)) return { url: target };
    }
    throw new Error('too many redirects');
  }
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
const actionOf = (html: string, ending: string) => new RegExp(`action="([^"]*/${ending})"`).exec(html)?.[1];

/**
 * One whole sign-in, as a browser and the `bench-web` app do it, in a fresh cookie jar: authorization request
 * (code + PKCE S256, state, nonce) → login form (CSRF token, LDAP search + bind on the server) → the first-time
 * notice, accepted only when `acceptNotice` (a returning user has none) → code at the callback → token exchange.
 * Returns whether the notice was shown; throws on anything unexpected.
 */
export const signIn = async (issuer: string, login: string, password: string, acceptNotice = false, clientId = 'bench-web'): Promise<SignedIn> => {
  const tab = new Tab(issuer);
  const verifier = random();
  const state = random();
  const nonce = random();
  const auth = new URL('/auth', issuer);
  auth.search = form({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: BENCH_REDIRECT_URI,
    scope: BENCH_SCOPE,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    nonce,
  });

  let at = await tab.open(auth.href);
  const loginAction = at.page && actionOf(at.page.body, 'login');
  const loginCsrf = at.page && csrfOf(at.page.body);
  if (!loginAction || !loginCsrf) throw new Error(`no login form at ${at.url.pathname} (${at.page?.status}): ${at.page?.body.slice(0, 200)}`);
  at = await tab.open(loginAction, { _csrf: loginCsrf, username: login, password });

  const noticeAction = at.page && actionOf(at.page.body, 'notice');
  if (noticeAction && acceptNotice) at = await tab.open(noticeAction, { _csrf: csrfOf(at.page!.body) ?? '', decision: 'accept' });
  const code = at.page ? undefined : at.url.searchParams.get('code');
  if (!code || at.url.searchParams.get('state') !== state) throw new Error(`no code for ${login}: ended at ${at.url.pathname} (${at.page?.status}) ${at.page?.body.slice(0, 200) ?? at.url.search}`);

  const res = await send(
    new URL('/token', issuer),
    'POST',
    { authorization: basicAuth(clientId, BENCH_SECRET), 'content-type': FORM, 'user-agent': UA },
    form({ grant_type: 'authorization_code', code, redirect_uri: BENCH_REDIRECT_URI, code_verifier: verifier }),
  );
  if (res.status !== 200) throw new Error(`token exchange: ${res.status} ${res.body.slice(0, 200)}`);
  const tokens = JSON.parse(res.body) as { access_token?: string; id_token?: string; refresh_token?: string };
  const idToken = JSON.parse(Buffer.from(tokens.id_token?.split('.')[1] ?? '', 'base64url').toString() || '{}') as { nonce?: string };
  if (!tokens.access_token || idToken.nonce !== nonce) throw new Error('token exchange: no access token or wrong nonce');
  return { sawNotice: !!noticeAction, accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
};

/** What a sign-in leaves the app with. */
export interface SignedIn {
  sawNotice: boolean;
  accessToken: string;
  refreshToken?: string | undefined;
}

/** A first sign-in to an app: the first-time notice must be shown, and is accepted. */
export const firstSignIn = async (issuer: string, login: string, password: string, clientId: string): Promise<SignedIn> => {
  const done = await signIn(issuer, login, password, true, clientId);
  if (!done.sawNotice) throw new Error(`first sign-in of ${login} to ${clientId}: no first-time notice`);
  return done;
};

/** The tokens an app holds for one person. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** One refresh-token grant by `bench-web`; returns the new tokens (the refresh token sent is spent). */
export const refresh = async (issuer: string, refreshToken: string): Promise<Tokens> => {
  const res = await send(
    new URL('/token', issuer),
    'POST',
    { authorization: basicAuth('bench-web', BENCH_SECRET), 'content-type': FORM, 'user-agent': UA },
    form({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  );
  const tokens = res.status === 200 ? (JSON.parse(res.body) as { access_token?: string; refresh_token?: string }) : {};
  if (!tokens.access_token || !tokens.refresh_token || tokens.refresh_token === refreshToken) throw new Error(`refresh: ${res.status} ${res.body.slice(0, 200)}`);
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token };
};

/** A returning person's sign-in to `bench-web` that must leave a refresh token: what a holder of tokens starts with. */
export const signInForTokens = async (issuer: string, login: string, password: string): Promise<Tokens> => {
  const { accessToken, refreshToken } = await signIn(issuer, login, password);
  if (!refreshToken) throw new Error(`sign-in of ${login}: no refresh token`);
  return { accessToken, refreshToken };
};

/** One userinfo request (`GET /me`) with a bearer access token; throws unless the claims name a subject. */
export const userinfo = async (issuer: string, accessToken: string): Promise<void> => {
  const res = await send(new URL('/me', issuer), 'GET', { authorization: `Bearer ${accessToken}`, 'user-agent': UA });
  if (res.status !== 200 || !res.body.includes('"sub"')) throw new Error(`userinfo: ${res.status} ${res.body.slice(0, 200)}`);
};
