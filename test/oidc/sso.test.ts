import { expect } from 'chai';
import * as oidc from 'openid-client';
import { translator } from '../../src/i18n/index.ts';
import type { Page } from '../support/browser.ts';
import { startProvider, rp, type TestProvider } from '../support/provider.ts';
import { authRequest, newBrowser, signIn, submitLogin } from '../support/flow.ts';
import { STORES } from '../support/stores.ts';

/** The error and description of a refused token request. */
const tokenError = (err: unknown) => {
  expect(err).to.be.instanceOf(oidc.ResponseBodyError);
  const { error, error_description } = err as oidc.ResponseBodyError;
  return { error, error_description };
};

/** The error and description an authorization request was redirected back to the app with (query or fragment). */
const redirectError = (page: Page) => {
  const back = new URL(page.url);
  const params = back.hash ? new URLSearchParams(back.hash.slice(1)) : back.searchParams;
  return { error: params.get('error'), error_description: params.get('error_description') };
};

const alertText = (page: Page) => page.doc.querySelector('[role=alert]')?.text.trim();
/**
 * What Satu Akun's error page says for a protocol error it cannot send back to the app: a plain sentence (the app's
 * set-up or its request), with the protocol error folded under "details for developers".
 */
const expectErrorPage = (page: Page, kind: 'error.oidc_app_setup' | 'error.oidc_request', error: string, description: string, label = '') => {
  expect(alertText(page), label).to.equal(translator('id')(kind));
  const details = page.doc.querySelector('details.developer');
  expect(details?.querySelector('summary')?.text.trim(), label).to.equal(translator('id')('error.developer'));
  expect(details?.querySelectorAll('code').map((c) => c.text), label).to.deep.equal([error, description]);
  expect(page.doc.querySelector('.reference')?.text, label).to.match(/Kode rujukan [0-9a-f]{12} · /);
};

const backends = [STORES.SQLite, STORES['PostgreSQL + Redis']];

for (const backend of backends) describe(`single sign-on on ${backend.name} (authorization code + PKCE, openid-client)`, () => {
  let op: TestProvider;
  let appA: oidc.Configuration;
  let appB: oidc.Configuration;
  let drop: (() => Promise<void>) | undefined;

  before(async function () {
    const setup = await backend.setup(this);
    drop = setup.drop;
    op = await startProvider(setup.overrides);
    appA = await rp(op.issuer, 'app-a');
    appB = await rp(op.issuer, 'app-b');
  });
  after(async () => {
    await op?.stop();
    await drop?.();
  });

  it('signs a person in through the real forms and releases the granted claims', async () => {
    const browser = newBrowser();
    const { tokens, sawLogin, sawNotice } = await signIn(appA, browser, 'andi.wijaya');
    expect(sawLogin).to.equal(true);
    expect(sawNotice, 'first-time notice').to.equal(true);
    const id = tokens.claims()!;
    expect(id.iss).to.equal(op.issuer);
    expect(id.aud).to.equal('app-a');
    expect(id.acr).to.equal('urn:satu-akun:loa:1');
    expect(id.amr).to.deep.equal(['pwd']);
    expect(id.sub).to.match(/^[A-Za-z0-9_-]{22}$/);
    const info = await oidc.fetchUserInfo(appA, tokens.access_token, id.sub);
    expect(info.nip, 'NIP released with the nip scope').to.match(/^\d{18}$/);
    expect(id.sub).not.to.equal(info.nip);
    expect(info).to.include({ name: 'Andi Wijaya', email: 'andi.wijaya@contoh.go.id', employee_type: 'pns', agency_code: 'DISKOMINFO' });
    expect(info.roles).to.deep.equal(['operator']);
  });

  it('logs the person in by NIP too, to the same opaque sub', async () => {
    const first = await signIn(appA, newBrowser(), 'andi.wijaya');
    const info = await oidc.fetchUserInfo(appA, first.tokens.access_token, first.tokens.claims()!.sub);
    const byNip = await signIn(appA, newBrowser(), String(info.nip));
    expect(byNip.tokens.claims()!.sub).to.equal(first.tokens.claims()!.sub);
    expect(byNip.sawNotice, 'the recorded decision is remembered across sessions').to.equal(false);
  });

  it('opens a second app in the same browser without asking for the password', async () => {
    const browser = newBrowser();
    const a = await signIn(appA, browser, 'siti.rahmawati');
    const b = await signIn(appB, browser);
    expect(b.sawLogin).to.equal(false);
    expect(b.tokens.claims()!.sub).to.equal(a.tokens.claims()!.sub);
    expect(b.tokens.claims()!.aud).to.equal('app-b');
  });

  it('rotates refresh tokens and revokes the grant when an old one is replayed', async () => {
    const { tokens } = await signIn(appA, newBrowser(), 'dewi.lestari');
    const first = tokens.refresh_token!;
    expect(first).to.be.a('string');
    const second = await oidc.refreshTokenGrant(appA, first);
    expect(second.refresh_token).to.be.a('string').and.not.equal(first);
    const replay = await oidc.refreshTokenGrant(appA, first).catch((err: unknown) => err);
    expect(tokenError(replay)).to.deep.equal({ error: 'invalid_grant', error_description: 'grant request is invalid' });
    // Reuse detection: the whole grant is gone, including the token issued by the legitimate rotation.
    const after = await oidc.refreshTokenGrant(appA, second.refresh_token!).catch((err: unknown) => err);
    expect(tokenError(after)).to.deep.equal({ error: 'invalid_grant', error_description: 'grant request is invalid' });
  });

  it('ends the session for every app on logout', async () => {
    const browser = newBrowser();
    const a = await signIn(appA, browser, 'bambang.susilo');
    const b = await signIn(appB, browser);
    const logout = oidc.buildEndSessionUrl(appA, { id_token_hint: a.tokens.id_token!, post_logout_redirect_uri: 'https://a.contoh.go.id/bye' });
    const confirm = await browser.open(logout.href);
    expect(confirm.status).to.equal(200);
    // The confirmation names every app this sign-out reaches, and asks (an app's request is not the person's choice).
    expect(confirm.doc.querySelectorAll('ul.logout-apps li').map((li) => li.text).sort()).to.deep.equal(['Aplikasi A', 'Aplikasi B']);
    expect(confirm.doc.querySelector('button[data-auto-submit]')).to.equal(null);
    const done = await browser.submit(confirm, { logout: 'yes' });
    expect(done.url).to.match(/^https:\/\/a\.contoh\.go\.id\/bye/);
    for (const [config, tokens] of [[appA, a.tokens], [appB, b.tokens]] as const) {
      const refused = await oidc.refreshTokenGrant(config, tokens.refresh_token!).catch((err: unknown) => err);
      expect(tokenError(refused)).to.deep.equal({ error: 'invalid_grant', error_description: 'grant request is invalid' });
      const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
      expect(introspected.active).to.equal(false);
    }
    const again = await browser.open((await authRequest(appB)).url.href);
    expect(again.doc.querySelector('form[action$="/login"]'), 'password asked again').to.not.equal(null);
    const trail = await op.satu.audit.list({ event: 'logout' });
    expect(trail.some((r) => r.actor === a.tokens.claims()!.sub)).to.equal(true);
  });

  it('gives the same generic message for a wrong password and an unknown user, and audits both', async () => {
    const browser = newBrowser();
    const login = await browser.open((await authRequest(appA)).url.href);
    const wrong = await submitLogin(browser, login, 'rudi.hartono', 'not-the-password');
    const unknown = await submitLogin(browser, wrong, 'tidak.ada.orangnya', 'whatever');
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    const message = (p: typeof wrong) => p.doc.querySelector('#login-error')?.text.trim();
    expect(message(wrong)).to.equal('NIP/nama pengguna atau kata sandi salah.');
    expect(message(unknown)).to.equal(message(wrong));
    const failures = await op.satu.audit.list({ event: 'signin.failure' });
    // The trail names the person (their directory entry, before a first sign-in) or a keyed hash of an unknown login:
    // never what was typed, which may be a password typed into the wrong field.
    const rudi = await op.satu.directory.findUser('rudi.hartono');
    expect(failures.map((f) => f.actor)).to.include(`directory:${rudi!.id}`);
    expect(failures.some((f) => /^login:[A-Za-z0-9_-]{22}$/.test(String(f.actor)))).to.equal(true);
    expect(JSON.stringify(failures)).not.to.contain('not-the-password').and.not.to.contain('tidak.ada.orangnya').and.not.to.contain('rudi.hartono');
  });

  it('returns the protocol error for an unknown client, without redirecting', async () => {
    const url = new URL(`${op.issuer}/auth`);
    url.search = new URLSearchParams({ client_id: 'no-such-app', response_type: 'code', scope: 'openid', redirect_uri: 'https://a.contoh.go.id/cb' }).toString();
    const page = await newBrowser().open(url.href);
    expect(page.status).to.equal(400);
    expectErrorPage(page, 'error.oidc_app_setup', 'invalid_client', 'client is invalid');
    expect(page.doc.querySelector('a[href="/"]'), 'a way home').to.not.equal(null);
    expect(page.html).not.to.match(/at .*\.js:\d+/);
  });

  it('refuses a redirect URI that is not registered exactly', async () => {
    const { url } = await authRequest(appA, { redirect_uri: 'https://a.contoh.go.id/cb/../evil' });
    const page = await newBrowser().open(url.href);
    expect(page.status).to.equal(400);
    expectErrorPage(page, 'error.oidc_app_setup', 'invalid_redirect_uri', "redirect_uri did not match any of the client's registered redirect_uris");
    // Back to the app by its registered address, never the one in the request.
    expect(page.doc.querySelector('a.back-to-app')?.getAttribute('href')).to.equal('https://a.contoh.go.id/');
  });

  it('requires PKCE from a public client', async () => {
    const spa = await rp(op.issuer, 'spa', undefined);
    const url = oidc.buildAuthorizationUrl(spa, { redirect_uri: 'https://spa.contoh.go.id/cb', scope: 'openid', state: 'xyz' });
    const page = await newBrowser().open(url.href);
    const back = new URL(page.url);
    expect(back.origin + back.pathname).to.equal('https://spa.contoh.go.id/cb');
    expect(redirectError(page)).to.deep.equal({ error: 'invalid_request', error_description: 'Authorization Server policy requires PKCE to be used for this request' });
  });

  it('accepts only S256 as the PKCE method', async () => {
    const spa = await rp(op.issuer, 'spa', undefined);
    const url = oidc.buildAuthorizationUrl(spa, { redirect_uri: 'https://spa.contoh.go.id/cb', scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    const page = await newBrowser().open(url.href);
    expect(redirectError(page)).to.deep.equal({ error: 'invalid_request', error_description: 'not supported value of code_challenge_method' });
  });

  it('answers malformed authorization requests with protocol errors, never a 500', async () => {
    // Back to the app once its client_id and redirect_uri are known; before that, on Satu Akun's own error page.
    const bad: Array<[params: Record<string, string>, shown: 'to the app' | 'on a page', error: string, description: string]> = [
      [{ client_id: 'app-a', response_type: 'token', scope: 'openid', redirect_uri: 'https://a.contoh.go.id/cb' }, 'to the app', 'unsupported_response_type', 'unsupported response_type requested'],
      [{ client_id: 'app-a', response_type: 'code', redirect_uri: 'https://a.contoh.go.id/cb', scope: 'openid', prompt: 'none login' }, 'to the app', 'invalid_request', 'prompt none must only be used alone'],
      [{ client_id: '' }, 'on a page', 'invalid_request', "missing required parameter 'client_id'"],
      [{ response_type: 'code' }, 'on a page', 'invalid_request', "missing required parameter 'client_id'"],
      [{ client_id: 'app-a', response_type: 'code', scope: 'openid', redirect_uri: 'https://a.contoh.go.id/cb', max_age: 'abc' }, 'to the app', 'invalid_request', 'invalid max_age parameter value'],
    ];
    for (const [params, shown, error, description] of bad) {
      const page = await newBrowser().open(`${op.issuer}/auth?${new URLSearchParams(params)}`);
      const label = JSON.stringify(params);
      if (shown === 'to the app') {
        expect(page.status, label).to.equal(303);
        expect(redirectError(page), label).to.deep.equal({ error, error_description: description });
      } else {
        expect(page.status, label).to.equal(400);
        expectErrorPage(page, 'error.oidc_request', error, description, label);
      }
    }
  });

  it('reports every configured store in /readyz', async () => {
    const res = await fetch(`${op.issuer}/readyz`);
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> };
    expect(res.status).to.equal(200);
    expect(body.status).to.equal('up');
    // PostgreSQL also reports whether the service's role holds every privilege it needs.
    const expected = backend.name === 'SQLite' ? ['directory', 'sql'] : ['directory', 'redis', 'sql', 'sqlPrivileges'];
    expect(Object.keys(body.checks).sort()).to.deep.equal(expected);
    for (const check of Object.values(body.checks)) expect(check.status).to.equal('up');
  });

  it('issues client-credentials tokens to a machine client', async () => {
    const machine = await rp(op.issuer, 'machine');
    const token = await oidc.clientCredentialsGrant(machine);
    expect(token.access_token).to.be.a('string');
    expect(token.token_type.toLowerCase()).to.equal('bearer');
    const wrong = await rp(op.issuer, 'machine', 'wrong-secret-wrong-secret-wrong-secret');
    const refused = (await oidc.clientCredentialsGrant(wrong).catch((err: unknown) => err)) as oidc.WWWAuthenticateChallengeError;
    expect(refused.status).to.equal(401);
    expect(refused.cause[0]!.parameters).to.deep.equal({ realm: op.issuer, error: 'invalid_client', error_description: 'client authentication failed' });
  });
});
