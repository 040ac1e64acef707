import { expect } from 'chai';
import * as oidc from 'openid-client';
import { configSchema } from '../../src/config/schema.ts';
import type { Directory } from '../../src/directory/directory.ts';
import { startEmbeddedDirectory, type EmbeddedDirectory } from '../../src/directory/embedded-server.ts';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { loadSampleStaff, SAMPLE_PEOPLE_DN, SAMPLE_SERVICE_DN, SAMPLE_SERVICE_PASSWORD } from '../../src/directory/sample/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Browser, Page } from '../support/browser.ts';
import { authRequest, newBrowser, PASSWORD, reachCallback, submitLogin } from '../support/flow.ts';
import { rp, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

const THROTTLED = /^Terlalu banyak percobaan masuk\. Coba lagi dalam \d+ menit\.$/;
const errorText = (page: Page) => /role="alert"[^>]*>([^<]*)</.exec(page.html)?.[1]?.trim();

/** The real LDAP directory, counting the password binds that reach it. */
const countingDirectory = (inner: Directory) => {
  let binds = 0;
  let searches = 0;
  const directory: Directory = {
    ...inner,
    authenticate: (login, password) => inner.authenticate(login, password),
    findUser: (login) => (searches++, inner.findUser(login)),
    findById: (id) => inner.findById(id),
    check: () => inner.check(),
    close: () => inner.close(),
    verifyPassword: (user, password) => (binds++, inner.verifyPassword(user, password)),
  };
  return { directory, binds: () => binds, searches: () => searches };
};

// Issue 8 §2: before, failures were counted per (login as typed, address): forty addresses gave 200 guesses at one
// person, each login form and full-width variant had its own budget, and parallel guesses overran the limit.
for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`guessing limit per person on ${store.name}`, () => {
    let op: TestProvider;
    let app: oidc.Configuration;
    let ldap: EmbeddedDirectory;
    let counted: ReturnType<typeof countingDirectory>;
    let address = 0;
    /** A stranger's browser at an address of its own (through the trusted proxy). */
    const stranger = (ip = `198.51.100.${++address}`) => newBrowser({ 'x-forwarded-for': ip });

    before(async function () {
      this.timeout(60_000);
      ldap = await startEmbeddedDirectory({ port: 0 });
      const settings = configSchema.parse({}).directory;
      counted = countingDirectory(
        createLdapDirectory({ ...settings, mode: 'ldap', url: ldap.url, bindDn: SAMPLE_SERVICE_DN, bindPassword: SAMPLE_SERVICE_PASSWORD, baseDn: SAMPLE_PEOPLE_DN }, createLogger('silent')),
      );
      op = await startProviderOn(this, store, { trustProxy: true, throttle: { accountFailures: 10, addressFailures: 12 } }, { directory: counted.directory });
      app = await rp(op.issuer, 'app-a');
    });
    after(async () => {
      await op?.stop();
      await ldap?.close();
    });

    const loginPage = async (browser: Browser, params: Record<string, string> = {}) => browser.open((await authRequest(app, params)).url.href);
    const guess = async (browser: Browser, login: string, password = 'salah-sekali') => submitLogin(browser, await loginPage(browser), login, password);

    it('counts uid, NIP, e-mail and full-width or upper-case variants from any address against one budget of ten', async () => {
      const person = (await op.satu.directory.findUser('dewi.lestari'))!;
      const forms = ['dewi.lestari', person.nip!, 'dewi.lestari@contoh.go.id', 'ｄｅｗｉ.ｌｅｓｔａｒｉ', ' DEWI.LESTARI '];
      const before = counted.binds();
      for (let i = 0; i < 10; i++) expect((await guess(stranger(), forms[i % forms.length]!)).status).to.equal(401);
      expect(counted.binds() - before).to.equal(10);
      // The right password through a fresh form and address: refused without asking the directory.
      const blocked = await guess(stranger(), 'ｄｅｗｉ.ｌｅｓｔａｒｉ', PASSWORD);
      expect(blocked.status).to.equal(429);
      expect(errorText(blocked)).to.match(THROTTLED);
      expect(counted.binds() - before).to.equal(10);
    });

    it('warns before the limit, in words that are the same for a real account and an unknown login', async () => {
      const messages = async (login: string) => {
        const seen: string[] = [];
        for (let i = 0; i < 10; i++) seen.push(errorText(await guess(stranger(), login))!);
        return seen;
      };
      // People no other test here guesses at, so their budgets start untouched.
      const real = await messages('darwis.hamzah');
      const unknown = await messages('belum.pernah.ada');
      expect(real).to.deep.equal(unknown);
      expect(real.slice(0, 7)).to.deep.equal(Array(7).fill('NIP/nama pengguna atau kata sandi salah.'));
      expect(real[7]).to.contain('Setelah 2 kali lagi gagal, masuk dengan nama ini ditahan sementara.');
      expect(real[8]).to.contain('Setelah 1 kali lagi gagal');
      expect(real[9]).to.contain('Terlalu banyak percobaan: masuk dengan nama ini ditahan sementara.');
    });

    it('lets 40 parallel wrong guesses reach the directory no more than the budget allows', async () => {
      const browser = stranger();
      const page = await loginPage(browser);
      const before = counted.binds();
      const pages = await Promise.all(Array.from({ length: 40 }, (_, i) => submitLogin(browser, page, i % 2 ? 'bambang.susilo' : 'BAMBANG.SUSILO', `salah-${i}`)));
      expect(counted.binds() - before).to.equal(10);
      expect(pages.filter((p) => p.status === 401)).to.have.length(10);
      expect(pages.filter((p) => p.status === 429)).to.have.length(30);
    });

    it('counts an unknown login the same way, under a keyed hash, never the typed string', async () => {
      const results = [];
      for (let i = 0; i < 11; i++) results.push((await guess(stranger(), 'Tidak.Ada.Orangnya')).status);
      expect(results).to.deep.equal([...Array(10).fill(401), 429]);
      const trail = JSON.stringify(await op.satu.audit.list({ event: 'signin.failure', limit: 1000 }));
      expect(trail).not.to.contain('Tidak.Ada').and.not.to.contain('tidak.ada');
    });

    // Review finding: the address budget counted successful sign-ins, so the 51st colleague behind one NAT was refused.
    it('counts only failures against an address: a whole office signs in from one address', async () => {
      const office = '192.0.2.50';
      // Twice the address budget of 12 in successful first sign-ins, each from a browser new to its person.
      const staff = loadSampleStaff().staff.map((p) => p.uid).filter((uid) => !['dewi.lestari', 'bambang.susilo', 'rudi.hartono'].includes(uid)).slice(0, 24);
      for (const [i, uid] of staff.entries()) {
        const page = await guess(stranger(office), uid, PASSWORD);
        expect(page.status, `sign-in ${i + 1}`).to.be.below(400);
      }
    });

    // Review finding: a blocked address still had every attempt searched in the directory.
    it('answers a blocked address without searching the directory, for a browser that knows nobody', async () => {
      const ip = '192.0.2.99';
      for (let i = 0; i < 12; i++) await guess(stranger(ip), `tidak.ada.lagi.${i}`);
      const before = counted.searches();
      const blocked = await guess(stranger(ip), 'siti.rahmawati', PASSWORD);
      expect(blocked.status).to.equal(429);
      expect(counted.searches() - before).to.equal(0);
    });

    it("keeps the person's own browser working while strangers are blocked, also behind an address that is blocked", async () => {
      const office = '203.0.113.7';
      const own = newBrowser({ 'x-forwarded-for': office });
      const first = await reachCallback(app, own, 'rudi.hartono');
      expect(first.steps).to.include('login');
      // Strangers spend Rudi's budget, then two more guesses at nobody spend the office address's twelve.
      for (let i = 0; i < 10; i++) await guess(stranger(office), 'rudi.hartono');
      for (let i = 0; i < 2; i++) await guess(stranger(office), `tidak.ada.${i}`);
      expect((await guess(stranger(), 'rudi.hartono', PASSWORD)).status, 'a stranger with the right password').to.equal(429);
      expect((await guess(stranger(office), 'yanti.pakpahan', PASSWORD)).status, 'a colleague new to this browser, at the blocked address').to.equal(429);
      // Rudi's own browser asks for the password again (prompt=login) and lets him in.
      const again = await submitLogin(own, await loginPage(own, { prompt: 'login' }), 'rudi.hartono', PASSWORD);
      expect(again.status, errorText(again)).to.be.below(400);
      expect(new URL(again.url).searchParams.get('code')).to.be.a('string');
    });
  });
}
