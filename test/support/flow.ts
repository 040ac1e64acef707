import { expect } from 'chai';
import * as oidc from 'openid-client';
import { Browser, type Page } from './browser.ts';

export const PASSWORD = 'Demo-2026';

/** A browser that stops at any of the test apps' callback URLs. */
export const newBrowser = (headers: Record<string, string> = {}) => new Browser((url) => /\.contoh\.go\.id\//.test(url), headers);

export interface AuthStart {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** Builds an authorization request with PKCE (S256), state and nonce, as an RP would. */
export const authRequest = async (config: oidc.Configuration, params: Record<string, string> = {}): Promise<AuthStart> => {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: String(config.clientMetadata().redirect_uri),
    scope: 'openid profile email nip kepegawaian roles',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
};

/** Fills the sign-in form on a login page. */
export const submitLogin = (browser: Browser, page: Page, username: string, password = PASSWORD) =>
  browser.submit(page, { username, password }, '/login');

/** Accepts the first-time notice if it is shown. */
export const acceptNotice = async (browser: Browser, page: Page) =>
  page.doc.querySelector('form[action$="/notice"]') ? browser.submit(page, { decision: 'accept' }, '/notice') : page;

/**
 * The whole sign-in as a person and an app do it: open the authorization URL, sign in if asked, accept the notice
 * if shown, then exchange the code with PKCE. `sawLogin` tells whether the password form appeared.
 */
export const signIn = async (config: oidc.Configuration, browser: Browser, username?: string, params: Record<string, string> = {}) => {
  const start = await authRequest(config, params);
  let page = await browser.open(start.url.href);
  const sawLogin = !!page.doc.querySelector('form[action$="/login"]');
  if (sawLogin) {
    expect(username, 'a password was asked for').to.be.a('string');
    page = await submitLogin(browser, page, username!);
  }
  const sawNotice = !!page.doc.querySelector('form[action$="/notice"]');
  page = await acceptNotice(browser, page);
  expect(page.html, `expected a redirect back to the app, got ${page.url} (${page.status})`).to.equal('');
  const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url), { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });
  return { tokens, sawLogin, sawNotice };
};
