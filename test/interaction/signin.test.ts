import { expect } from 'chai';
import * as oidc from 'openid-client';
import { configSchema } from '../../src/config/schema.ts';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { startEmbeddedDirectory, type EmbeddedDirectory } from '../../src/directory/embedded-server.ts';
import { SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD } from '../../src/directory/sample/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';
import { freePort } from '../support/processes.ts';
import { authRequest, newBrowser, PASSWORD, signIn, submitLogin } from '../support/flow.ts';

const errorText = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1]?.trim();

describe('sign-in experience', () => {
  let op: TestProvider;
  let app: oidc.Configuration;
  let ldap: EmbeddedDirectory;
  let ldapPort: number;

  before(async () => {
    ldapPort = await freePort();
    ldap = await startEmbeddedDirectory({ port: ldapPort });
    // A real LDAP client against a directory this test can stop and start again.
    const settings = configSchema.parse({}).directory;
    const directory = createLdapDirectory(
      { ...settings, mode: 'ldap', url: ldap.url, bindDn: SAMPLE_SERVICE_DN, bindPassword: SAMPLE_SERVICE_PASSWORD, baseDn: SAMPLE_PEOPLE_DN, timeoutMs: 1000 },
      createLogger('silent'),
    );
    op = await startProvider({ throttle: { accountFailures: 2, addressFailures: 50 } }, { directory });
    app = await rp(op.issuer, 'app-a');
  });
  after(async () => {
    await op?.stop();
    await ldap?.close();
  });

  it('shows a clear page when the directory is down, without counting attempts, and recovers by itself', async () => {
    await ldap.close();
    const browser = newBrowser();
    let page = await browser.open((await authRequest(app)).url.href);
    for (let i = 0; i < 3; i++) {
      const form = page;
      page = await submitLogin(browser, form, 'yanti.pakpahan');
      expect(page.status).to.equal(503);
      expect(errorText(page.html)).to.match(/^Direktori pegawai sedang tidak dapat dihubungi/);
      page = await browser.open((await authRequest(app)).url.href);
    }
    const ready = await fetch(`${op.issuer}/readyz`);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.nested.include({ status: 'degraded', 'checks.directory.status': 'down', 'checks.sql.status': 'up' });

    ldap = await startEmbeddedDirectory({ port: ldapPort });
    // Three outage attempts with a limit of two failures: had they counted, this would be throttled.
    const { sawLogin, tokens } = await signIn(app, newBrowser(), 'yanti.pakpahan');
    expect(sawLogin).to.equal(true);
    const outages = await op.satu.audit.list({ event: 'signin.directory_unavailable' });
    expect(outages).to.have.length(3);
    expect(await op.satu.audit.list({ event: 'signin.failure', actor: tokens.claims()!.sub })).to.have.length(0);
    expect((await (await fetch(`${op.issuer}/readyz`)).json()).status).to.equal('up');
  });

  it('throttles repeated wrong passwords for one account and address, even when the right one follows', async () => {
    const browser = newBrowser();
    let page = await browser.open((await authRequest(app)).url.href);
    page = await submitLogin(browser, page, 'rudi.hartono', 'salah-1');
    page = await submitLogin(browser, page, 'rudi.hartono', 'salah-2');
    page = await submitLogin(browser, page, 'rudi.hartono', PASSWORD);
    expect(page.status).to.equal(429);
    expect(errorText(page.html)).to.match(/^Terlalu banyak percobaan masuk\. Coba lagi dalam \d+ menit\.$/);
    // Rudi has never signed in: the trail names his directory entry, not what was typed.
    const rudi = await op.satu.directory.findUser('rudi.hartono');
    const failures = (await op.satu.audit.list({ event: 'signin.failure', actor: `directory:${rudi!.id}` })).sort((a, b) => a.seq - b.seq);
    const reasons = failures.map((r) => (r.details as { reason: string }).reason);
    expect(reasons).to.deep.equal(['invalid_credentials', 'invalid_credentials', 'throttled']);
    // Another person at the same address is not affected.
    expect((await signIn(app, newBrowser(), 'dewi.lestari')).sawLogin).to.equal(true);
  });

  it('refuses a sign-in form without a valid CSRF token', async () => {
    const browser = newBrowser();
    const page = await browser.open((await authRequest(app)).url.href);
    const forged = await browser.submit(page, { username: 'andi.wijaya', password: PASSWORD, _csrf: 'forged' }, '/login');
    expect(forged.status).to.equal(403);
    expect(errorText(forged.html)).to.match(/^Formulir ini sudah kedaluwarsa/);
  });

  it('explains an expired or unknown sign-in instead of failing', async () => {
    const page = await newBrowser().open(`${op.issuer}/interaction/tidak-ada`);
    expect(page.status).to.equal(400);
    expect(errorText(page.html)).to.match(/^Sesi masuk ini sudah kedaluwarsa/);
    const post = await newBrowser().open(`${op.issuer}/interaction/tidak-ada/login`, { method: 'POST', form: { username: 'x', password: 'y' } });
    expect(post.status).to.equal(400);
  });

  it('records a refusal on the first-time notice and returns access_denied to the app', async () => {
    const browser = newBrowser();
    const other = await rp(op.issuer, 'app-b');
    let page = await browser.open((await authRequest(other)).url.href);
    page = await submitLogin(browser, page, 'bambang.susilo');
    expect(page.doc.querySelectorAll('ul.scopes li').map((li) => li.text.trim())).to.include.members(['Nama lengkap', 'NIP / NI PPPK dan jenis pegawai']);
    page = await browser.submit(page, { decision: 'deny' }, '/notice');
    expect(new URL(page.url).searchParams.get('error')).to.equal('access_denied');
    const denied = await op.satu.audit.list({ event: 'consent.denied' });
    expect(denied.map((r) => r.client_id)).to.include('app-b');
  });

  it('lets the person cancel, returning access_denied to the app', async () => {
    const browser = newBrowser();
    const page = await browser.open((await authRequest(app)).url.href);
    // A cross-site GET (a link or an image elsewhere) can no longer cancel anyone's sign-in or write to the trail.
    const uid = new URL(page.url).pathname.split('/').pop();
    expect((await browser.request(`${op.issuer}/interaction/${uid}/abort`)).status).to.equal(404);
    const forged = await browser.open(`${op.issuer}/interaction/${uid}/abort`, { method: 'POST', form: { _csrf: 'forged' } });
    expect(forged.status).to.equal(403);
    expect(await op.satu.audit.list({ event: 'signin.cancelled' })).to.have.length(0);
    const back = await browser.submit(page, {}, '/abort');
    expect(new URL(back.url).searchParams.get('error')).to.equal('access_denied');
    expect((await op.satu.audit.list({ event: 'signin.cancelled' })).map((r) => r.client_id)).to.deep.equal(['app-a']);
  });

  it('speaks Bahasa Indonesia first and English on request, remembering the choice', async () => {
    const browser = newBrowser();
    const page = await browser.open((await authRequest(app)).url.href);
    expect(page.doc.querySelector('h1')!.text).to.equal('Masuk');
    const switchTo = page.doc.querySelector('a.lang')!.getAttribute('href')!;
    const english = await browser.open(new URL(switchTo, page.url).href);
    expect(english.doc.querySelector('h1')!.text).to.equal('Sign in');
    expect(english.doc.querySelector('html')!.getAttribute('lang')).to.equal('en');
    const wrong = await submitLogin(browser, english, 'andi.wijaya', 'wrong');
    expect(errorText(wrong.html)).to.match(/^Wrong NIP\/username or password\./); // a warning may follow as the limit nears
  });

  it('honours ui_locales from the app', async () => {
    const page = await newBrowser().open((await authRequest(app, { ui_locales: 'en-US' })).url.href);
    expect(page.doc.querySelector('h1')!.text).to.equal('Sign in');
  });

  it('serves pages with strict headers and cookies, and only local assets', async () => {
    const browser = newBrowser();
    const res = await browser.request((await authRequest(app)).url.href);
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).to.be.greaterThan(0);
    for (const cookie of cookies) expect(cookie.toLowerCase()).to.contain('httponly').and.contain('samesite=lax');
    const login = await browser.open(new URL(res.headers.get('location')!, op.issuer).href);
    const headers = (await browser.request(login.url)).headers;
    expect(headers.get('content-security-policy')).to.contain("default-src 'self'").and.contain("frame-ancestors 'none'");
    expect(headers.get('x-frame-options')).to.equal('DENY');
    expect(headers.get('cache-control')).to.equal('no-store');
    const external = login.doc.querySelectorAll('link[href], script[src], img[src]').map((e) => e.getAttribute('href') ?? e.getAttribute('src'));
    for (const url of external) expect(url).to.match(/^\//);
    expect((await fetch(`${op.issuer}/static/style.css`)).status).to.equal(200);
  });

  it('answers /healthz', async () => {
    const res = await fetch(`${op.issuer}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'up' });
  });
});

describe('behind a TLS-terminating proxy', () => {
  let op: TestProvider;
  before(async () => {
    op = await startProvider({ issuer: 'https://sso.contoh.go.id', trustProxy: true });
  });
  after(() => op?.stop());

  // What a reverse proxy (nginx: proxy_set_header X-Forwarded-*) adds in front of Satu Akun.
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sso.contoh.go.id', 'x-forwarded-for': '10.20.30.40' };

  it('advertises the public https issuer and sets Secure cookies on forwarded https requests', async () => {
    const discovery = (await (await fetch(`${op.local}/.well-known/openid-configuration`, { headers: forwarded })).json()) as Record<string, string>;
    expect(discovery.issuer).to.equal('https://sso.contoh.go.id');
    expect(discovery.authorization_endpoint).to.equal('https://sso.contoh.go.id/auth');
    const app = await rp(op.local, 'app-a').catch((err: Error) => err);
    expect(app, 'an RP refuses an issuer mismatch').to.be.instanceOf(Error);
    const url = new URL(`${op.local}/auth`);
    url.search = new URLSearchParams({ client_id: 'app-a', response_type: 'code', scope: 'openid', redirect_uri: 'https://a.contoh.go.id/cb', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString();
    const res = await fetch(url, { headers: forwarded, redirect: 'manual' });
    expect(res.status).to.equal(303);
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).to.be.greaterThan(0);
    for (const cookie of cookies) expect(cookie.toLowerCase()).to.contain('; secure');
  });

  it('names its own cookies __Host- behind TLS (Secure, Path=/), so a sibling sub-domain cannot plant them', async () => {
    const masuk = await fetch(`${op.local}/akun/masuk`, { headers: forwarded, redirect: 'manual' });
    const login = masuk.headers.getSetCookie().filter((c) => c.startsWith('__Host-sa_akun_login'));
    expect(login, 'the zone sign-in cookie and its signature').to.have.length(2);
    for (const c of login) expect(c.toLowerCase()).to.contain('; path=/;').and.contain('; secure').and.not.contain('domain=');
    const auth = await fetch(masuk.headers.get('location')!.replace(op.issuer, op.local), { headers: forwarded, redirect: 'manual' });
    const page = await fetch(new URL(auth.headers.get('location')!, op.local).href.replace(op.issuer, op.local), { headers: { ...forwarded, cookie: auth.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') } });
    const csrf = page.headers.getSetCookie().filter((c) => c.includes('sa_csrf'));
    expect(csrf.length).to.be.greaterThan(0);
    for (const c of csrf) expect(c.startsWith('__Host-sa_csrf')).to.equal(true);
  });

  it('names the SSO session cookie __Host- with an https issuer (review finding: a sibling could plant a session)', () => {
    expect(op.satu.provider.cookieName('session')).to.equal('__Host-sa_session');
  });

  it('audits the client address the proxy forwarded', async () => {
    const browser = newBrowser(forwarded);
    const url = new URL(`${op.local}/auth`);
    url.search = new URLSearchParams({ client_id: 'app-a', response_type: 'code', scope: 'openid', redirect_uri: 'https://a.contoh.go.id/cb', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString();
    const login = await browser.open(url.href);
    await submitLogin(browser, login, 'andi.wijaya', 'wrong');
    const andi = await op.satu.directory.findUser('andi.wijaya');
    const [failure] = await op.satu.audit.list({ event: 'signin.failure', actor: `directory:${andi!.id}` });
    expect(failure?.ip).to.equal('10.20.30.40');
  });
});
