/**
 * What bench/soak.ts needs beyond bench/scenarios.ts: a sign-in that hands back its tokens, a rotating refresh and a
 * userinfo call. scenarios.ts's signIn checks the tokens but keeps them to itself; once it returns them, drop
 * `signInForTokens` here and use it instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BENCH_REDIRECT_URI, BENCH_SCOPE, BENCH_SECRET } from './clients.ts';
import { basicAuth, CookieJar, send } from './http.ts';

/** The tokens an app holds for one person. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const FORM = 'application/x-www-form-urlencoded';
const UA = 'satu-akun-bench';
const random = () => randomBytes(32).toString('base64url');
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const tokenEndpoint = (issuer: string, fields: Record<string, string>) =>
  send(new URL('/token', issuer), 'POST', { authorization: basicAuth('bench-web', BENCH_SECRET), 'content-type': FORM, 'user-agent': UA }, form(fields));

const tokensOf = (status: number, body: string, what: string): Tokens => {
  const t = status === 200 ? (JSON.parse(body) as { access_token?: string; refresh_token?: string }) : {};
  if (!t.access_token || !t.refresh_token) throw new Error(`${what}: ${status} ${body.slice(0, 200)}`);
  return { accessToken: t.access_token, refreshToken: t.refresh_token };
};

/**
 * A returning person's sign-in to `bench-web` (the same requests as scenarios.ts's signIn, no first-time notice),
 * returning the access and refresh tokens of the code exchange.
 */
export const signInForTokens = async (issuer: string, login: string, password: string): Promise<Tokens> => {
  const jar = new CookieJar();
  const verifier = random();
  const auth = new URL('/auth', issuer);
  auth.search = form({ client_id: 'bench-web', response_type: 'code', redirect_uri: BENCH_REDIRECT_URI, scope: BENCH_SCOPE, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', state: random(), nonce: random() });
  let target = auth;
  let body: string | undefined;
  for (let hop = 0; hop < 20 && !target.href.startsWith(BENCH_REDIRECT_URI); hop++) {
    const headers: Record<string, string> = { cookie: jar.header(target.pathname), 'user-agent': UA, ...(body === undefined ? {} : { 'content-type': FORM }) };
    const res = await send(target, body === undefined ? 'GET' : 'POST', headers, body);
    jar.store(res.headers['set-cookie'] as string[] | undefined);
    body = undefined;
    if (typeof res.headers.location === 'string' && res.status >= 300 && res.status < 400) {
      target = new URL(res.headers.location, target);
      continue;
    }
    const action = /action="([^"]*\/login)"/.exec(res.body)?.[1];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (!action || !csrf) throw new Error(`sign-in of ${login}: unexpected page at ${target.pathname} (${res.status})`);
    target = new URL(action, target);
    body = form({ _csrf: csrf, username: login, password });
  }
  const code = target.searchParams.get('code');
  if (!code) throw new Error(`sign-in of ${login}: no code (ended at ${target.pathname})`);
  const res = await tokenEndpoint(issuer, { grant_type: 'authorization_code', code, redirect_uri: BENCH_REDIRECT_URI, code_verifier: verifier });
  return tokensOf(res.status, res.body, 'token exchange');
};

/** A refresh-token grant; the refresh token rotates, so the caller must use the returned one next time. */
export const refresh = async (issuer: string, refreshToken: string): Promise<Tokens> => {
  const res = await tokenEndpoint(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken });
  return tokensOf(res.status, res.body, 'refresh');
};

/** `GET /me` (oidc-provider's userinfo endpoint) with a bearer token; throws unless the claims come back. */
export const userinfo = async (issuer: string, accessToken: string): Promise<void> => {
  const res = await send(new URL('/me', issuer), 'GET', { authorization: `Bearer ${accessToken}`, 'user-agent': UA });
  if (res.status !== 200 || !res.body.includes('"sub"')) throw new Error(`userinfo: ${res.status} ${res.body.slice(0, 200)}`);
};
