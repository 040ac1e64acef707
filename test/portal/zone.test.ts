import { expect } from 'chai';
import { generate } from 'otplib';
import { startProvider, type TestProvider } from '../support/provider.ts';
import { newBrowser, stepOf, submitLogin } from '../support/flow.ts';

describe('portal zones: Satu Akun signs in to itself as an OIDC client', () => {
  let p: TestProvider;
  before(async () => {
    p = await startProvider();
  });
  after(() => p.stop());

  it('my account asks for the password once, shows no notice, and keeps the person signed in', async () => {
    const browser = newBrowser();
    const login = await browser.open(`${p.local}/akun`);
    expect(login.doc.querySelector('form[action$="/login"]'), 'login form').to.exist;
    const page = await submitLogin(browser, login, 'dewi.lestari');
    expect(page.url).to.equal(`${p.local}/akun`);
    expect(page.html).to.contain('Dewi Lestari');
    const again = await browser.open(`${p.local}/akun`);
    expect(again.url).to.equal(`${p.local}/akun`);
    expect(again.html).to.contain('Dewi Lestari');
  });

  it('signing out of Satu Akun ends the zone session too', async () => {
    const browser = newBrowser();
    const page = await submitLogin(browser, await browser.open(`${p.local}/akun`), 'dewi.lestari');
    const confirm = await browser.submit(page, {}, '/keluar');
    // "Keluar" was the question: the confirmation submits itself (a script; its button stays for browsers without one).
    expect(confirm.doc.querySelector('button[data-auto-submit][name=logout][value=yes]'), 'self-submitting').to.exist;
    expect(confirm.doc.querySelector('script[src="/static/auto-submit.js"]')).to.exist;
    expect(confirm.doc.querySelectorAll('button[form="op.logoutForm"]'), 'no "stay signed in" question').to.have.length(1);
    const done = await browser.submit(confirm, { logout: 'yes' });
    expect(new URL(done.url).pathname).to.equal('/keluar');
    expect(done.doc.querySelector('h1')?.text).to.equal('Anda telah keluar');
    const after = await browser.open(`${p.local}/akun`);
    expect(after.doc.querySelector('form[action$="/login"]'), 'asked to sign in again').to.exist;
  });

  it("another person's sign-out address does not sign this browser out unasked", async () => {
    // Rudi's zone sign-out leaves his ID token in the address (id_token_hint); Dewi opens that address.
    const rudi = newBrowser();
    const rudiPage = await submitLogin(rudi, await rudi.open(`${p.local}/akun`), 'rudi.hartono');
    const rudiConfirm = await rudi.submit(rudiPage, {}, '/keluar');
    const dewi = newBrowser();
    await submitLogin(dewi, await dewi.open(`${p.local}/akun`), 'dewi.lestari');
    const page = await dewi.open(rudiConfirm.url);
    expect(page.doc.querySelector('form#op\\.logoutForm, form[id="op.logoutForm"]'), 'the confirmation').to.exist;
    expect(page.doc.querySelector('button[data-auto-submit]'), 'asks instead of submitting itself').to.equal(null);
    expect(page.doc.querySelectorAll('button[form="op.logoutForm"]'), 'with a way to stay signed in').to.have.length(2);
    const still = await dewi.open(`${p.local}/akun`);
    expect(still.html).to.contain('Dewi Lestari');
  });

  // Issue 8 §4: a zone cookie is bound to the SSO session of the browser it was issued to.
  it("a zone cookie copied into another browser does not sign that browser in", async () => {
    const owner = newBrowser();
    await submitLogin(owner, await owner.open(`${p.local}/akun`), 'dewi.lestari');
    const zoneCookies = (await owner.jar.getCookies(`${p.local}/akun`)).filter((c) => c.key.startsWith('sa_akun'));
    expect(zoneCookies.map((c) => c.key)).to.include.members(['sa_akun', 'sa_akun.sig']);
    // Another person's browser, signed in to Satu Akun as themselves, gets Dewi's zone cookie planted.
    const other = newBrowser();
    await submitLogin(other, await other.open(`${p.local}/akun`), 'rudi.hartono');
    for (const c of zoneCookies) await other.jar.setCookie(`${c.key}=${c.value}; Path=/akun`, `${p.local}/akun`);
    const page = await other.open(`${p.local}/akun`);
    expect(page.html).not.to.contain('Dewi Lestari');
    // And a browser with no SSO session at all is asked to sign in.
    const bare = newBrowser();
    for (const c of zoneCookies) await bare.jar.setCookie(`${c.key}=${c.value}; Path=/akun`, `${p.local}/akun`);
    expect((await bare.open(`${p.local}/akun`)).doc.querySelector('form[action$="/login"]'), 'asked to sign in').to.exist;
  });

  it('a forged return path stays inside the zone', async () => {
    const browser = newBrowser();
    const login = await browser.open(`${p.local}/akun/masuk?next=//evil.example/x`);
    const page = await submitLogin(browser, login, 'dewi.lestari');
    expect(page.url).to.equal(`${p.local}/akun`);
  });

  it('the admin console refuses a person without an admin role, naming whom to ask', async () => {
    const browser = newBrowser();
    const login = await browser.open(`${p.local}/admin`);
    // The console is level 3, and the level is checked before the access rule: she sets up a second factor first.
    let page = await submitLogin(browser, login, 'dewi.lestari');
    expect(stepOf(page)).to.equal('enrol');
    const secret = page.doc.querySelector('#totp-secret')!.text.replace(/\s/g, '');
    page = await browser.submit(page, { code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) }) }, '/enrol');
    page = await browser.submit(page, {}, '/continue');
    expect(page.status).to.equal(403);
    expect(page.doc.querySelector('h1')!.text).to.equal('Tidak ada akses');
    expect(page.html).to.contain('Konsol admin');
    expect((await p.satu.audit.list({ event: 'access.denied', clientId: 'satu-akun-admin' })).length).to.equal(1);
  });
});
