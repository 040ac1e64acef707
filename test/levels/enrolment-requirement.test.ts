import { expect } from 'chai';
import type * as oidc from 'openid-client';
import { generate } from 'otplib';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, signIn, stepOf, submitLogin, type SecondFactorHandler } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';
import { createWebauthnRepo } from '../../src/mfa/webauthn.repo.ts';

/** Diskominfo requires a second factor by a date: reminders before it, enrolment from it, at a level-1 app too. */
describe('second-factor enrolment required by a date', () => {
  let op: TestProvider;
  let app: oidc.Configuration;

  before(async () => {
    // All staff by a far date (grace period); Dinas Kesehatan's date has passed.
    op = await startProvider({ mfaEnrolment: { allStaff: '2099-01-01', agencies: { DINKES: '2020-01-01' } } });
    app = await rp(op.issuer, 'app-a');
  });
  after(() => op?.stop());

  /** Answers the reminder with `choice`, and enrolment with a real code. */
  const person = (choice: 'now' | 'later', seen: Page[] = []): SecondFactorHandler => async (browser: Browser, page: Page) => {
    seen.push(page);
    const step = stepOf(page);
    if (step === 'remind') return browser.submit(page, { choice }, '/remind');
    if (step === 'enrol') {
      const secret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
      return browser.submit(page, { code: await generate({ secret }) }, '/enrol');
    }
    return browser.submit(page, {}, '/continue');
  };

  it('reminds during the grace period and lets the person postpone, staying at level 1 (audited)', async () => {
    const seen: Page[] = [];
    const { tokens, steps } = await signIn(app, newBrowser(), 'yanti.pakpahan', {}, person('later', seen));
    expect(steps).to.deep.equal(['login', 'remind', 'notice']);
    expect(seen[0]!.html).to.contain('1 Januari 2099');
    expect(tokens.claims()).to.deep.include({ acr: 'urn:satu-akun:loa:1' });
    const postponed = await op.satu.audit.list({ event: 'mfa.enrolment_postponed' });
    expect(postponed.map((r) => (r.details as { deadline: string }).deadline)).to.include('2099-01-01T00:00:00.000Z');
  });

  it('enrols on request during the grace period and signs in at level 2', async () => {
    const { tokens, steps } = await signIn(app, newBrowser(), 'rudi.hartono', {}, person('now'));
    expect(steps).to.deep.equal(['login', 'remind', 'enrol', 'recovery-codes', 'notice']);
    expect(tokens.claims()).to.deep.include({ acr: 'urn:satu-akun:loa:2' });
    // Enrolled: no more reminders.
    expect((await signIn(app, newBrowser(), 'rudi.hartono')).steps).to.deep.equal(['login']);
  });

  it('requires enrolment, without a way around it, once the deadline has passed', async () => {
    const seen: Page[] = [];
    const { tokens, steps } = await signIn(app, newBrowser(), 'dewi.lestari', {}, person('later', seen));
    expect(steps).to.deep.equal(['login', 'enrol', 'recovery-codes', 'notice']);
    expect(seen[0]!.html).to.contain('Verifikasi dua langkah wajib untuk akun Anda sejak 1 Januari 2020');
    expect(seen[0]!.doc.querySelector('form[action$="/remind"]')).to.equal(null);
    expect(tokens.claims()).to.deep.include({ acr: 'urn:satu-akun:loa:2' });
  });

  it('counts a passkey as a second factor: no reminder for someone who has only a passkey', async () => {
    // Someone signs in once (an account is created), then gets a passkey (the ceremony itself is tested in Chromium).
    // Dinas Pendidikan is in the grace period: he postpones, so he has no authenticator app.
    expect((await signIn(app, newBrowser(), 'agus.susanto', {}, person('later'))).steps).to.include('remind');
    const { sub } = (await op.satu.knex('accounts').where({ username: 'agus.susanto' }).first()) as { sub: string };
    await createWebauthnRepo(op.satu.knex).insert({ id: 'cred-agus', sub, publicKey: 'pQECAyYgASFYIA', counter: 0, transports: ['usb'], name: 'Kunci' }, new Date());
    expect((await signIn(app, newBrowser(), 'agus.susanto')).steps).to.deep.equal(['login']);
  });

  /** Submits a "later" the page did not offer, with a valid CSRF token: the server must refuse it. */
  const forgeLater = (browser: Browser, page: Page) =>
    browser.open(new URL(page.url).href.replace(/\/?$/, '/remind'), {
      method: 'POST',
      form: { _csrf: page.doc.querySelector('input[name=_csrf]')!.getAttribute('value')!, choice: 'later' },
    });

  it('refuses a forged postponement once enrolment is required, or after choosing to set up now', async () => {
    const required = newBrowser();
    let page = await required.open((await authRequest(app)).url.href);
    page = await submitLogin(required, page, 'sri.kusumawati');
    expect(stepOf(page)).to.equal('enrol');
    expect((await forgeLater(required, page)).status).to.equal(400);

    const chose = newBrowser();
    page = await chose.open((await authRequest(app)).url.href);
    page = await submitLogin(chose, page, 'siti.rahmawati');
    expect(stepOf(page)).to.equal('remind');
    page = await chose.submit(page, { choice: 'now' }, '/remind');
    expect(stepOf(page)).to.equal('enrol');
    expect((await forgeLater(chose, page)).status).to.equal(400);
  });
});
