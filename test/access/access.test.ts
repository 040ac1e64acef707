import { expect } from 'chai';
import type * as oidc from 'openid-client';
import { authRequest, newBrowser, signIn, submitLogin } from '../support/flow.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

/** Who may enter which app: each rule kind lets its people in and stops everyone else at a clear, audited page. */
describe('access rules per app', () => {
  let op: TestProvider;
  const apps: Record<string, oidc.Configuration> = {};

  before(async () => {
    op = await startProvider();
    for (const id of ['app-a', 'app-agencies', 'app-roles', 'app-users']) apps[id] = await rp(op.issuer, id);
  });
  after(() => op?.stop());

  /** Signs in to `clientId` as `username` and returns the page after the password. */
  const attempt = async (clientId: string, username: string) => {
    const browser = newBrowser();
    const page = await browser.open((await authRequest(apps[clientId]!)).url.href);
    return { browser, page: await submitLogin(browser, page, username) };
  };

  const cases = [
    { rule: 'agencies', clientId: 'app-agencies', allowed: 'siti.rahmawati', refused: 'dewi.lestari', app: 'Aplikasi Diskominfo' },
    { rule: 'roles', clientId: 'app-roles', allowed: 'bambang.susilo', refused: 'andi.wijaya', app: 'Aplikasi Verifikasi' },
    { rule: 'users', clientId: 'app-users', allowed: 'rudi.hartono', refused: 'yanti.pakpahan', app: 'Aplikasi Terbatas' },
  ];

  for (const c of cases) {
    it(`lets people the ${c.rule} rule names in`, async () => {
      const { tokens } = await signIn(apps[c.clientId]!, newBrowser(), c.allowed);
      expect(tokens.claims()!.aud).to.equal(c.clientId);
    });

    it(`stops everyone else at a page naming the app (${c.rule}), audits it, and returns access_denied`, async () => {
      const { browser, page } = await attempt(c.clientId, c.refused);
      expect(page.status).to.equal(403);
      expect(page.doc.querySelector('h1')!.text).to.equal('Tidak ada akses');
      expect(page.html).to.contain(c.app);
      const denied = await op.satu.audit.list({ event: 'access.denied', clientId: c.clientId });
      expect(denied.some((r) => r.client_id === c.clientId && (r.details as { rule: string }).rule === c.rule)).to.equal(true);
      const back = await browser.submit(page, {}, '/abort');
      expect(new URL(back.url).searchParams.get('error')).to.equal('access_denied');
    });
  }

  it('names whom to ask when the app says so', async () => {
    const { page } = await attempt('app-agencies', 'dewi.lestari');
    expect(page.html).to.contain('Untuk meminta akses, hubungi: Bidang Aplikasi Diskominfo, aplikasi@contoh.go.id');
  });

  it('applies the rule on single sign-on too, where no page would otherwise be shown', async () => {
    const browser = newBrowser();
    await signIn(apps['app-a']!, browser, 'yanti.pakpahan');
    const page = await browser.open((await authRequest(apps['app-users']!)).url.href);
    expect(page.status).to.equal(403);
    expect(page.doc.querySelector('form[action$="/login"]'), 'no password asked').to.equal(null);
    const silent = await browser.open((await authRequest(apps['app-users']!, { prompt: 'none' })).url.href);
    expect(new URL(silent.url).searchParams.get('error')).to.equal('access_denied');
  });
});
