import { expect } from 'chai';
import * as oidc from 'openid-client';
import { newBrowser, signIn } from '../support/flow.ts';
import { createPhone, steppingClock } from '../support/phone.ts';
import { rp, startProvider, type TestProvider } from '../support/provider.ts';

/** Administrators issue initial access tokens in the admin console; developers register apps with them. */
describe('admin console: initial access tokens for dynamic registration', () => {
  const time = steppingClock();
  const phone = createPhone(time);
  let op: TestProvider;
  const url = (path: string) => `${op.local}${path}`;

  before(async () => {
    op = await startProvider({}, { clock: time.clock });
    // The developer has signed in once (tokens are issued to accounts).
    await signIn(await rp(op.issuer, 'app-a'), newBrowser(), 'dewi.lestari', { scope: 'openid' });
  });
  after(() => op?.stop());

  it('issues a token shown once, which registers an app through openid-client and is then used up', async () => {
    const browser = newBrowser();
    const page = await phone.through(browser, await browser.open(url('/admin/token-pendaftaran')), 'andi.wijaya');
    expect(page.url).to.equal(url('/admin/token-pendaftaran'));
    const issued = await browser.submit(page, { login: 'dewi.lestari', agency: '', days: '7', uses: '1' }, '/admin/token-pendaftaran');
    const token = issued.doc.querySelector('#initial-token')!.text.trim();
    expect(token).to.match(/^sa_iat_/);
    expect(issued.html).to.contain('DINKES');

    const again = await browser.open(url('/admin/token-pendaftaran'));
    expect(again.html, 'shown once').not.to.contain(token);

    const config = await oidc.dynamicClientRegistration(
      new URL(op.issuer),
      {
        client_name: 'Aplikasi Gizi Balita',
        description: 'Pemantauan gizi balita di posyandu',
        kind: 'khusus',
        environment: 'production',
        level: 1,
        redirect_uris: ['https://gizi.contoh.go.id/cb'],
        scope: 'openid profile',
        scope_purposes: { profile: 'Menampilkan nama petugas gizi' },
        responsible_name: 'Dewi Lestari',
        contacts: ['dewi.lestari@contoh.go.id'],
      } as Partial<oidc.ClientMetadata>,
      undefined,
      { initialAccessToken: token, execute: [oidc.allowInsecureRequests] },
    );
    const clientId = config.clientMetadata().client_id;
    const registered = await op.satu.knex('apps').where({ client_id: clientId }).first();
    expect(registered).to.include({ agency: 'DINKES', status: 'submitted', source: 'dcr' });
    expect((await browser.open(url('/admin/token-pendaftaran'))).html).to.contain('sisa 0 kali');
    const audit = await op.satu.knex('audit_log').where({ event: 'app.initial_token_issued' });
    expect(audit).to.have.length(1);
    expect(JSON.stringify(audit)).not.to.contain(token);
  });

  it('refuses to issue a token to someone who never signed in, and lets an administrator revoke one', async () => {
    const browser = newBrowser();
    const page = await phone.through(browser, await browser.open(url('/admin/token-pendaftaran')), 'andi.wijaya');
    const refused = await browser.submit(page, { login: 'no.such.person', days: '7', uses: '1' }, '/admin/token-pendaftaran');
    expect(refused.doc.querySelector('[role=alert]')!.text).to.contain('belum pernah masuk');

    const issued = await browser.submit(refused, { login: 'dewi.lestari', days: '7', uses: '3' }, '/admin/token-pendaftaran');
    const token = issued.doc.querySelector('#initial-token')!.text.trim();
    const listed = await browser.open(url('/admin/token-pendaftaran'));
    const revokeForms = listed.doc.querySelectorAll('form[action$="/cabut"]');
    // Newest first: the token just issued.
    const after = await browser.submit(listed, {}, revokeForms[0]!.getAttribute('action')!);
    expect(after.url).to.equal(url('/admin/token-pendaftaran'));
    const res = await fetch(`${op.issuer}/register`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status, 'a revoked token registers nothing').to.equal(401);
  });

  it('keeps the page for administrators: a reviewer is refused', async () => {
    const browser = newBrowser();
    const page = await phone.through(browser, await browser.open(url('/admin/token-pendaftaran')), 'siti.rahmawati');
    expect(page.status).to.equal(403);
  });
});
