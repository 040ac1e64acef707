import { request } from 'node:http';
import { expect } from 'chai';
import { Browser, type Page } from '../support/browser.ts';
import { authRequest, newBrowser, submitLogin } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, type TestProvider } from '../support/provider.ts';
import { STORES, startProviderOn } from '../support/stores.ts';

/** A request exactly as given: Node's fetch would refuse a malformed Host or rewrite the body. */
const raw = (origin: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const url = new URL(origin);
    const headers = init.headers ?? {};
    const r = request({ host: url.hostname, port: url.port, path, method: init.method ?? 'GET', headers, setHost: !('host' in headers) }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end(init.body);
  });

const expectPageHeaders = (headers: Headers | Record<string, string | string[] | undefined>, what: string) => {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined));
  expect(get('content-security-policy'), what).to.contain("frame-ancestors 'none'").and.contain("default-src 'self'");
  expect(get('x-frame-options'), what).to.equal('DENY');
  expect(get('x-content-type-options'), what).to.equal('nosniff');
  expect(get('referrer-policy'), what).to.equal('no-referrer');
};

// Issue 8 §3 and §4: each of these answered 500, or an error page without its headers, before.
for (const store of [STORES.SQLite, STORES['PostgreSQL + Redis']]) {
  describe(`hardening against bad input on ${store.name}`, () => {
    let op: TestProvider;
    const time = steppingClock();
    const phone = createPhone(time);

    before(async function () {
      this.timeout(60_000);
      op = await startProviderOn(this, store, {}, { clock: time.clock });
    });
    after(async () => {
      await op?.stop();
    });

    it('answers a plain body sent as gzip or deflate with 400, and an unknown encoding with 415 (or 400 before the body is read)', async () => {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      for (const path of ['/interaction/x/login', '/akun/keluar', '/admin/orang/reset', '/developer/baru']) {
        // A zone refuses an anonymous post (400) before it reads the body; where the body is read, an unknown encoding is 415.
        for (const [encoding, statuses] of [['gzip', [400]], ['deflate', [400]], ['x-unknown', [400, 415]]] as const) {
          const res = await raw(op.local, path, { method: 'POST', headers: { ...form, 'content-encoding': encoding }, body: 'username=a&password=b' });
          expect(res.status, `${encoding} ${path}`).to.be.oneOf(statuses);
          expectPageHeaders(res.headers, `${encoding} ${path}`);
        }
      }
      const json = await raw(op.local, '/register', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{}' });
      expect(json.status).to.be.within(400, 499);
    });

    it('answers a malformed Host with 400, and publishes only the configured issuer whatever Host says', async () => {
      for (const host of ['[::1', 'localhost:99999']) {
        expect((await raw(op.local, '/.well-known/openid-configuration', { headers: { host } })).status, host).to.equal(400);
      }
      const evil = await raw(op.local, '/.well-known/openid-configuration', { headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
      const discovery = JSON.parse(evil.body) as Record<string, unknown>;
      const urls = Object.values(discovery).filter((v): v is string => typeof v === 'string' && v.startsWith('http'));
      expect(urls.length).to.be.greaterThan(5);
      for (const url of urls) expect(url.startsWith(op.issuer), url).to.equal(true);
    });

    it("answers a zone callback with no code, a wrong iss or a replayed code with a page that offers to sign in again", async () => {
      const empty = await newBrowser().open(`${op.local}/akun/callback`);
      expect(empty.status).to.equal(400);
      expect(empty.doc.querySelector('a.button')?.getAttribute('href')).to.equal('/akun/masuk');
      // Stop at the callback, as a person's browser would arrive there.
      const browser = new Browser((url) => url.includes('/akun/callback'));
      const callback = await submitLogin(browser, await browser.open(`${op.local}/akun`), 'yanti.pakpahan');
      const url = new URL(callback.url);
      const wrongIss = new URL(url);
      wrongIss.searchParams.set('iss', 'https://evil.example');
      const refused = await new Browser().open(wrongIss.href, {}).catch(() => undefined);
      expect(refused?.status).to.equal(400);
      // The right one works once (the browser that holds the pending sign-in); the same code again is a clear 400.
      const first = await browser.request(url.href);
      expect(first.status).to.equal(302);
      const again = await browser.open(url.href);
      expect(again.status).to.equal(400);
      expect(again.html).to.contain('Masuk lagi');
      expectPageHeaders((await browser.request(url.href)).headers, 'replayed callback');
    });

    it('refuses a wrong iss with the pending sign-in present, without a 500', async () => {
      const browser = new Browser((u) => u.includes('/akun/callback'));
      const callback = await submitLogin(browser, await browser.open(`${op.local}/akun`), 'rudi.hartono');
      const url = new URL(callback.url);
      url.searchParams.set('iss', 'https://evil.example');
      const page = await browser.open(url.href);
      expect(page.status).to.equal(400);
      expect(page.doc.querySelector('a.button')?.getAttribute('href')).to.equal('/akun/masuk');
    });

    it('takes a NUL byte or a 300-character login as a failed sign-in, audited without what was typed', async () => {
      const app = await rp(op.issuer, 'app-a');
      const browser = newBrowser();
      const before = (await op.satu.audit.list({ event: 'signin.failure', limit: 1000 })).length;
      for (const login of ['dewi\u0000lestari', 'x'.repeat(300)]) {
        const page = await submitLogin(browser, await browser.open((await authRequest(app)).url.href), login, 'salah');
        expect(page.status, JSON.stringify(login.slice(0, 8))).to.equal(401);
      }
      const after = await op.satu.audit.list({ event: 'signin.failure', limit: 1000 });
      expect(after.length - before).to.equal(2);
      expect(JSON.stringify(after)).not.to.contain('xxxxxxxxxx');
    });

    it('treats a passkey id with a NUL byte as not found', async () => {
      const browser = newBrowser();
      await phone.through(browser, await browser.open(`${op.local}/akun`), 'siti.rahmawati');
      for (const path of ['/akun/keamanan/passkey/%00/ubah', '/akun/keamanan/passkey/a%00b/hapus']) {
        const page: Page = await browser.open(`${op.local}${path}`);
        expect(page.status, path).to.equal(404);
      }
    });

    it('sends the security headers with error pages too (CSRF 403, expired sign-in 400, not found 404)', async () => {
      const app = await rp(op.issuer, 'app-a');
      const browser = newBrowser();
      const login = await browser.open((await authRequest(app)).url.href);
      const action = new URL(login.doc.querySelector('form[action$="/login"]')!.getAttribute('action')!, login.url).href;
      const csrf = await browser.request(action, { method: 'POST', form: { username: 'a', password: 'b', _csrf: 'forged' } });
      expect(csrf.status).to.equal(403);
      expectPageHeaders(csrf.headers, 'CSRF');
      const expired = await fetch(`${op.local}/interaction/tidak-ada`);
      expect(expired.status).to.equal(400);
      expectPageHeaders(expired.headers, 'expired');
      const missing = await fetch(`${op.local}/akun/keamanan/passkey/tidak-ada/ubah`, { redirect: 'manual' });
      expect(missing.headers.get('x-content-type-options')).to.equal('nosniff');
    });
  });
}
