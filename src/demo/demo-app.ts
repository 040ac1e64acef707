import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { ClientConfig } from '../config/schema.ts';
import type { Render } from '../http/render.ts';
import { staticAssets } from '../http/static.ts';
import type { Logger } from '../shared/logger.ts';

interface DemoSession {
  idToken: string;
  idClaims: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  sid?: string;
}

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * A demo relying party of the quick start: a real OIDC client (openid-client, code + PKCE) that shows what Satu Akun
 * released about the person. Sessions live in memory; back-channel logout ends them when the person signs out.
 */
export const startDemoApp = async (deps: {
  issuer: string;
  client: ClientConfig;
  port: number;
  otherApps: { name: string; url: string }[];
  render: Render;
  logger: Logger;
  /** The regency's logo (the default one when unset), served as the provider serves it. */
  logoPath?: string;
}): Promise<{ url: string; close: () => Promise<void> }> => {
  const { client } = deps;
  const base = new URL(client.redirect_uris[0]!).origin;
  const cookie = `demo_${client.client_id.replace(/\W/g, '_')}`;
  const sessions = new Map<string, DemoSession>();
  const pending = new Map<string, { verifier: string; nonce: string }>();
  let config: oidc.Configuration | undefined;

  // Discovery waits for the first request, so the demo starts even while the provider is still booting.
  const rp = async () => {
    if (!config) {
      config = await oidc.discovery(new URL(deps.issuer), client.client_id, { id_token_signed_response_alg: client.id_token_signed_response_alg }, oidc.ClientSecretBasic(client.client_secret), {
        execute: deps.issuer.startsWith('http://') ? [oidc.allowInsecureRequests] : [],
      });
    }
    return config;
  };

  const router = new Router();
  router.get('/', (ctx) => {
    const session = sessions.get(ctx.cookies.get(cookie) ?? '');
    deps.render(ctx, 'demo', { app: client, session, otherApps: deps.otherApps, issuer: deps.issuer });
  });

  router.get('/login', async (ctx) => {
    const state = oidc.randomState();
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    pending.set(state, { verifier, nonce });
    const url = oidc.buildAuthorizationUrl(await rp(), {
      redirect_uri: client.redirect_uris[0]!,
      scope: client.scopes.join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const state = String(ctx.query.state ?? '');
    const checks = pending.get(state);
    pending.delete(state);
    if (!checks) return ctx.redirect('/');
    if (ctx.query.error) {
      deps.render(ctx, 'demo', { app: client, otherApps: deps.otherApps, issuer: deps.issuer, error: `${ctx.query.error}: ${ctx.query.error_description ?? ''}` });
      return;
    }
    const config = await rp();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(ctx.originalUrl, base), { pkceCodeVerifier: checks.verifier, expectedState: state, expectedNonce: checks.nonce });
    const idClaims = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    const id = randomBytes(16).toString('base64url');
    sessions.set(id, { idToken: tokens.id_token!, idClaims, userinfo, sid: idClaims.sid as string | undefined });
    ctx.cookies.set(cookie, id, { httpOnly: true, sameSite: 'lax' });
    ctx.redirect('/');
  });

  router.post('/logout', async (ctx) => {
    const id = ctx.cookies.get(cookie) ?? '';
    const session = sessions.get(id);
    sessions.delete(id);
    ctx.cookies.set(cookie, null);
    if (!session) return ctx.redirect('/');
    ctx.redirect(oidc.buildEndSessionUrl(await rp(), { id_token_hint: session.idToken, post_logout_redirect_uri: client.post_logout_redirect_uris[0]! }).href);
  });

  // OIDC Back-Channel Logout 1.0: the provider tells us the person signed out; end the matching local sessions.
  router.post('/backchannel-logout', bodyParser({ enableTypes: ['form'] }), async (ctx) => {
    const token = (ctx.request.body as Record<string, unknown>).logout_token;
    try {
      const config = await rp();
      const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
      const { payload } = await jwtVerify(String(token), jwks, { issuer: config.serverMetadata().issuer, audience: client.client_id, typ: 'logout+jwt' });
      if (!(payload.events as Record<string, unknown> | undefined)?.[BACKCHANNEL_EVENT]) throw new Error('not a logout token');
      for (const [id, s] of sessions) if (s.sid === payload.sid || (!payload.sid && s.idClaims.sub === payload.sub)) sessions.delete(id);
      ctx.status = 200;
    } catch (err) {
      deps.logger.warn({ err }, 'demo app: rejected logout token');
      ctx.status = 400;
      ctx.body = { error: 'invalid_request' };
    }
  });

  const app = new Koa();
  // The page is rendered with Satu Akun's layout, whose stylesheet and logo are addressed on this app's own origin.
  app.use(staticAssets(deps.logoPath));
  app.use(router.routes());
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(deps.port, '127.0.0.1', () => resolve(s));
  });
  return {
    url: base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** Starts every demo app registered by `buildApp` (the quick start), each on its configured port. */
export const startDemoApps = (satu: { config: { issuer: string; demoPorts: readonly number[]; regency: { logoPath?: string } }; demo: ClientConfig[]; render: Render; logger: Logger }) =>
  Promise.all(
    satu.demo.map((client, i) =>
      startDemoApp({
        issuer: satu.config.issuer,
        client,
        port: satu.config.demoPorts[i]!,
        otherApps: satu.demo.filter((o) => o !== client).map((o) => ({ name: o.client_name, url: new URL(o.redirect_uris[0]!).origin })),
        render: satu.render,
        logger: satu.logger,
        logoPath: satu.config.regency.logoPath,
      }),
    ),
  );
