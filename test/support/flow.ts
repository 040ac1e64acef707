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

/** Answers a second-factor step (enrolment, code, recovery codes) and returns the next page. */
export type SecondFactorHandler = (browser: Browser, page: Page) => Promise<Page>;

/** What a page asks for. */
export const stepOf = (page: Page): 'login' | 'remind' | 'enrol-proof' | 'enrol' | 'second-factor' | 'recovery-codes' | 'notice' | 'other' => {
  for (const step of ['login', 'remind', 'enrol-proof', 'enrol', 'second-factor', 'notice'] as const) if (page.doc.querySelector(`form[action$="/${step}"]`)) return step;
  return page.doc.querySelector('form[action$="/continue"]') ? 'recovery-codes' : 'other';
};

/**
 * A sign-in up to the redirect back to the app: open the authorization URL and answer each page (password, second
 * factor via `secondFactor`, first-time notice). `callback` carries the code; `steps` lists the pages seen.
 */
export const reachCallback = async (
  config: oidc.Configuration,
  browser: Browser,
  username?: string,
  params: Record<string, string> = {},
  secondFactor?: SecondFactorHandler,
) => {
  const start = await authRequest(config, params);
  let page = await browser.open(start.url.href);
  const steps: string[] = [];
  for (let step = stepOf(page); step !== 'other'; step = stepOf(page)) {
    steps.push(step);
    if (steps.length > 8) throw new Error(`sign-in loops: ${steps.join(' → ')}`);
    if (step === 'login') {
      expect(username, 'a password was asked for').to.be.a('string');
      page = await submitLogin(browser, page, username!);
    } else if (step === 'notice') {
      page = await browser.submit(page, { decision: 'accept' }, '/notice');
    } else {
      expect(secondFactor, `a second factor was asked for (${step})`).to.be.a('function');
      page = await secondFactor!(browser, page);
    }
  }
  expect(page.html, `expected a redirect back to the app, got ${page.url} (${page.status}): ${page.html.slice(0, 300)}`).to.equal('');
  return { callback: new URL(page.url), start, steps };
};

/** Exchanges the code of a callback as the app does, with PKCE and the state and nonce it sent. */
export const exchangeCode = (config: oidc.Configuration, callback: URL, start: AuthStart) =>
  oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state, expectedNonce: start.nonce });

/** The whole sign-in as a person and an app do it: `reachCallback`, then the code exchange. */
export const signIn = async (...args: Parameters<typeof reachCallback>) => {
  const { callback, start, steps } = await reachCallback(...args);
  const tokens = await exchangeCode(args[0], callback, start);
  return { tokens, steps, sawLogin: steps.includes('login'), sawNotice: steps.includes('notice') };
};
