import { expect } from 'chai';
import * as oidc from 'openid-client';
import { generate } from 'otplib';
import { levelOf, requiredLevel } from '../../src/levels/levels.ts';
import type { Browser, Page } from '../support/browser.ts';
import { steppingClock } from '../support/clock.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin, type SecondFactorHandler } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();

describe('security levels (unit)', () => {
  it('raises the app level with acr_values, never lowers it, and ignores unknown values', () => {
    expect(requiredLevel(1)).to.equal(1);
    expect(requiredLevel(1, { acr_values: 'urn:satu-akun:loa:2' })).to.equal(2);
    expect(requiredLevel(2, { acr_values: 'urn:satu-akun:loa:1' })).to.equal(2);
    expect(requiredLevel(1, { acr_values: 'urn:satu-akun:loa:3 something-else' })).to.equal(3);
    expect(requiredLevel(1, { acr_values: 'urn:satu-akun:loa:9' })).to.equal(1);
    expect(levelOf('urn:satu-akun:loa:2')).to.equal(2);
    expect(levelOf('urn:other:loa:2')).to.equal(0);
  });
});

describe('security levels with a second factor (openid-client)', () => {
  let op: TestProvider;
  /** Satu Akun's clock; the test's authenticator follows it. */
  const time = steppingClock();
  let level1: oidc.Configuration;
  let level2: oidc.Configuration;
  const secrets = new Map<string, string>();
  const totp = (username: string) => generate({ secret: secrets.get(username)!, epoch: time.epoch() });

  /** Answers enrolment (remembering the secret), a code prompt, and the recovery-codes page. */
  const authenticator =
    (username: string, codes: string[] = []): SecondFactorHandler =>
    async (browser: Browser, page: Page) => {
      const step = stepOf(page);
      if (step === 'enrol') {
        secrets.set(username, page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, ''));
        expect(page.doc.querySelector('img.qr')!.getAttribute('src')).to.match(/^data:image\/svg\+xml;base64,/);
        return browser.submit(page, { code: await totp(username) }, '/enrol');
      }
      if (step === 'recovery-codes') {
        codes.push(...page.doc.querySelectorAll('#recovery-codes code').map((c) => c.text.trim()));
        return browser.submit(page, {}, '/continue');
      }
      time.next();
      return browser.submit(page, { code: await totp(username) }, '/second-factor');
    };

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
    level1 = await rp(op.issuer, 'app-a');
    level2 = await rp(op.issuer, 'app-l2');
  });
  after(() => op?.stop());

  it('advertises the levels it can reach', () => {
    expect(level1.serverMetadata().acr_values_supported).to.deep.equal(['urn:satu-akun:loa:1', 'urn:satu-akun:loa:2', 'urn:satu-akun:loa:3']);
  });

  it('enrols a person without a second factor on the spot, then continues to the level-2 app', async () => {
    const codes: string[] = [];
    const { tokens, steps } = await signIn(level2, newBrowser(), 'siti.rahmawati', {}, authenticator('siti.rahmawati', codes));
    expect(steps).to.deep.equal(['login', 'enrol', 'recovery-codes', 'notice']);
    expect(codes).to.have.length(10);
    expect(new Set(codes).size).to.equal(10);
    expect(tokens.claims()).to.deep.include({ acr: 'urn:satu-akun:loa:2', amr: ['pwd', 'otp', 'mfa'] });
    expect((await op.satu.audit.list({ event: 'mfa.totp_enrolled' })).length).to.equal(1);
  });

  it('steps a level-1 session up to level 2 asking only for the second factor', async () => {
    const browser = newBrowser();
    const first = await signIn(level1, browser, 'siti.rahmawati');
    expect(first.tokens.claims()).to.deep.include({ acr: 'urn:satu-akun:loa:1', amr: ['pwd'] });
    const second = await signIn(level2, browser, undefined, {}, authenticator('siti.rahmawati'));
    expect(second.steps).to.deep.equal(['second-factor']);
    expect(second.tokens.claims()).to.deep.include({ acr: 'urn:satu-akun:loa:2', sub: first.tokens.claims()!.sub });
    // Back at a level-1 app, nothing is asked, and the app learns what was proven.
    const third = await signIn(level1, browser);
    expect(third.steps).to.deep.equal([]);
    expect(third.tokens.claims()!.acr).to.equal('urn:satu-akun:loa:2');
  });

  it('raises a level-1 app to level 2 when it asks with acr_values, and never lowers a level-2 app', async () => {
    const raised = await signIn(level1, newBrowser(), 'siti.rahmawati', { acr_values: 'urn:satu-akun:loa:2' }, authenticator('siti.rahmawati'));
    expect(raised.steps).to.include('second-factor');
    expect(raised.tokens.claims()!.acr).to.equal('urn:satu-akun:loa:2');
    const lowered = await signIn(level2, newBrowser(), 'siti.rahmawati', { acr_values: 'urn:satu-akun:loa:1' }, authenticator('siti.rahmawati'));
    expect(lowered.steps).to.include('second-factor');
  });

  it('asks for the password again, then the second factor, when the app sets max_age', async () => {
    const browser = newBrowser();
    await signIn(level2, browser, 'siti.rahmawati', {}, authenticator('siti.rahmawati'));
    const again = await signIn(level2, browser, 'siti.rahmawati', { max_age: '0' }, authenticator('siti.rahmawati'));
    expect(again.steps).to.deep.equal(['login', 'second-factor']);
  });

  it('answers login_required to prompt=none when the session is below the level', async () => {
    const browser = newBrowser();
    await signIn(level1, browser, 'siti.rahmawati');
    const page = await browser.open((await authRequest(level2, { prompt: 'none' })).url.href);
    expect(Object.fromEntries(new URL(page.url).searchParams)).to.deep.include({ error: 'login_required', error_description: 'a higher security level is required' });
  });

  it('refuses a wrong code and a code used before, with clear messages', async () => {
    const browser = newBrowser();
    let page = await browser.open((await authRequest(level2)).url.href);
    page = await submitLogin(browser, page, 'siti.rahmawati');
    expect(stepOf(page)).to.equal('second-factor');
    const wrong = await browser.submit(page, { code: '000000' }, '/second-factor');
    expect(wrong.status).to.equal(401);
    expect(errorText(wrong)).to.equal('Kode salah atau sudah kedaluwarsa.');
    time.next();
    const code = await totp('siti.rahmawati');
    const ok = await browser.submit(wrong, { code }, '/second-factor');
    expect(stepOf(ok), 'the right code moves on').to.not.equal('second-factor');
    // The same code in another browser within its time step: refused as replayed.
    const other = newBrowser();
    let replay = await other.open((await authRequest(level2)).url.href);
    replay = await submitLogin(other, replay, 'siti.rahmawati');
    replay = await other.submit(replay, { code }, '/second-factor');
    expect(errorText(replay)).to.equal('Kode ini sudah dipakai. Tunggu kode berikutnya di aplikasi autentikator.');
  });

  it('never lets the second-factor step replace an existing authenticator (password alone is not enough)', async () => {
    const browser = newBrowser();
    let page = await browser.open((await authRequest(level2)).url.href);
    page = await submitLogin(browser, page, 'siti.rahmawati');
    expect(stepOf(page)).to.equal('second-factor');
    const csrf = page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const forged = await browser.open(`${page.url}/enrol`, { method: 'POST', form: { _csrf: csrf, code: '123456' } });
    expect(forged.status).to.equal(400);
    expect(forged.doc.querySelector('#totp-secret'), 'no new secret is shown').to.equal(null);
    // The person's own authenticator still works.
    time.next();
    const ok = await browser.submit(page, { code: await totp('siti.rahmawati') }, '/second-factor');
    expect(stepOf(ok)).to.not.equal('second-factor');
  });

  it('refuses a forged passkey assertion, and passkey registration for someone who has a second factor', async () => {
    const browser = newBrowser();
    let page = await browser.open((await authRequest(level2)).url.href);
    page = await submitLogin(browser, page, 'siti.rahmawati');
    const csrf = page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!;
    const forged = await browser.open(`${page.url}/webauthn/authenticate`, { method: 'POST', form: { _csrf: csrf, response: JSON.stringify({ id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: {} }) } });
    expect(forged.status).to.equal(401);
    expect(errorText(forged)).to.equal('Passkey atau kunci keamanan tidak dapat diverifikasi. Coba lagi.');
    const failures = await op.satu.audit.list({ event: 'mfa.failed' });
    expect(failures.some((r) => (r.details as { method: string }).method === 'webauthn')).to.equal(true);
    const register = await browser.open(`${page.url}/webauthn/register`, { method: 'POST', form: { _csrf: csrf, response: '{}' } });
    expect(register.status).to.equal(400);
  });

  it('accepts a recovery code exactly once', async () => {
    const codes: string[] = [];
    await signIn(level2, newBrowser(), 'bambang.susilo', {}, authenticator('bambang.susilo', codes));
    const useRecovery = (code: string): SecondFactorHandler => async (browser, page) => {
      const recoveryForm = await browser.open(new URL(page.doc.querySelector('a[href$="?method=recovery"]')!.getAttribute('href')!, page.url).href);
      return browser.submit(recoveryForm, { code }, '/second-factor');
    };
    const used = await signIn(level2, newBrowser(), 'bambang.susilo', {}, useRecovery(codes[0]!));
    expect(used.tokens.claims()!.acr).to.equal('urn:satu-akun:loa:2');
    const browser = newBrowser();
    let page = await browser.open((await authRequest(level2)).url.href);
    page = await submitLogin(browser, page, 'bambang.susilo');
    page = await useRecovery(codes[0]!)(browser, page);
    expect(page.status).to.equal(401);
    expect(errorText(page)).to.equal('Kode salah atau sudah kedaluwarsa.');
  });
});
