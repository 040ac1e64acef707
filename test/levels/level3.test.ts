import { expect } from 'chai';
import type * as oidc from 'openid-client';
import { generate } from 'otplib';
import type { Browser, Page } from '../support/browser.ts';
import { steppingClock } from '../support/clock.ts';
import { authRequest, newBrowser, signIn, stepOf, type SecondFactorHandler } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

/** Level 3: both factors within 15 minutes, and, for apps that list networks, only from those networks. */
describe('security level 3 (openid-client, injected clock)', () => {
  let op: TestProvider;
  /** Satu Akun's clock; the authenticator follows it. */
  const time = steppingClock();
  const apps: Record<string, oidc.Configuration> = {};
  let secret = '';

  const code = () => generate({ secret, epoch: time.epoch() });

  /** Enrols (keeping the secret) or enters the next code. */
  const authenticator: SecondFactorHandler = async (browser: Browser, page: Page) => {
    const step = stepOf(page);
    if (step === 'enrol') {
      secret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
      return browser.submit(page, { code: await code() }, '/enrol');
    }
    if (step === 'recovery-codes') return browser.submit(page, {}, '/continue');
    time.next();
    return browser.submit(page, { code: await code() }, '/second-factor');
  };

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
    for (const id of ['app-a', 'app-l2', 'app-l3', 'app-l3-far']) apps[id] = await rp(op.issuer, id);
  });
  after(() => op?.stop());

  it('signs in with both factors and releases acr level 3', async () => {
    const { tokens, steps } = await signIn(apps['app-l3']!, newBrowser(), 'andi.wijaya', {}, authenticator);
    expect(steps).to.deep.equal(['login', 'enrol', 'recovery-codes', 'notice']);
    expect(tokens.claims()).to.deep.include({ acr: 'urn:satu-akun:loa:3', amr: ['pwd', 'otp', 'mfa'] });
  });

  it('asks nothing while both factors are recent, and asks for both again once they are older than 15 minutes', async () => {
    const browser = newBrowser();
    await signIn(apps['app-l3']!, browser, 'andi.wijaya', {}, authenticator);
    time.advance(10);
    expect((await signIn(apps['app-l3']!, browser)).steps, 'within the window').to.deep.equal([]);
    time.advance(6);
    const again = await signIn(apps['app-l3']!, browser, 'andi.wijaya', {}, authenticator);
    expect(again.steps, 'after the window').to.deep.equal(['login', 'second-factor']);
    expect(again.tokens.claims()!.acr).to.equal('urn:satu-akun:loa:3');
    // Level 2 does not age: 20 minutes later (within the 30-minute idle timeout) a level-2 app opens without a prompt.
    time.advance(20);
    expect((await signIn(apps['app-l2']!, browser, undefined, {}, authenticator)).steps.filter((s) => s !== 'notice')).to.deep.equal([]);
  });

  it('raises a recent level-2 session to level 3 without asking anything', async () => {
    const browser = newBrowser();
    await signIn(apps['app-l2']!, browser, 'andi.wijaya', {}, authenticator);
    const l3 = await signIn(apps['app-l3']!, browser);
    expect(l3.steps).to.deep.equal([]);
    expect(l3.tokens.claims()!.acr).to.equal('urn:satu-akun:loa:3');
  });

  it('steps a recent level-1 session up to level 3 with the second factor only', async () => {
    const browser = newBrowser();
    await signIn(apps['app-a']!, browser, 'andi.wijaya');
    const l3 = await signIn(apps['app-l3']!, browser, undefined, {}, authenticator);
    expect(l3.steps).to.deep.equal(['second-factor']);
    expect(l3.tokens.claims()!.acr).to.equal('urn:satu-akun:loa:3');
  });

  it('refuses a request from outside the app networks before any password, with a clear page, audited', async () => {
    const browser = newBrowser();
    const page = await browser.open((await authRequest(apps['app-l3-far']!)).url.href);
    expect(page.status).to.equal(403);
    expect(page.doc.querySelector('h1')!.text).to.equal('Hanya dari jaringan kantor');
    expect(page.html).to.contain('Aplikasi Kas Daerah').and.contain('BPKAD, kasda@contoh.go.id');
    expect(page.doc.querySelector('form[action$="/login"]')).to.equal(null);
    expect((await op.satu.audit.list({ event: 'access.network_denied', clientId: 'app-l3-far' })).length).to.equal(1);
    const silent = await browser.open((await authRequest(apps['app-l3-far']!, { prompt: 'none' })).url.href);
    expect(Object.fromEntries(new URL(silent.url).searchParams)).to.deep.include({ error: 'access_denied', error_description: 'the request comes from outside the networks of this app' });
  });
});

describe('level-3 network ranges behind a reverse proxy', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ trustProxy: true });
  });
  after(() => op?.stop());

  it('judges the forwarded client address', async () => {
    const app = await rp(op.issuer, 'app-l3-far');
    const inside = await newBrowser({ 'x-forwarded-for': '10.20.3.4' }).open((await authRequest(app)).url.href);
    expect(stepOf(inside)).to.equal('login');
    const outside = await newBrowser({ 'x-forwarded-for': '203.0.113.9' }).open((await authRequest(app)).url.href);
    expect(outside.status).to.equal(403);
    expect(outside.html).to.contain('203.0.113.9');
  });
});
