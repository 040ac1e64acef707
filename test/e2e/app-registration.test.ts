import { expect } from 'chai';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { startDemoApp } from '../../src/demo/demo-app.ts';
import { clientsFileSchema } from '../../src/config/schema.ts';
import { startChromium } from '../support/chromium.ts';
import { freePort } from '../support/processes.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

/** Signs in on Satu Akun's page, setting up an authenticator app when asked (the portal zones need a second factor). */
const signInWithAuthenticator = async (page: Page, username: string) => {
  await page.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill(username);
  await page.getByLabel('Kata sandi').fill('Demo-2026');
  await page.getByRole('button', { name: 'Masuk' }).click();
  const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
  await page.getByLabel('Kode 6 digit').fill(await generate({ secret }));
  await page.getByRole('button', { name: 'Aktifkan' }).click();
  await page.getByRole('button', { name: 'Sudah saya simpan, lanjutkan' }).click();
};

/**
 * The whole path of issue 4 in a real browser: a developer registers an app for http://localhost and submits it, it
 * waits, a reviewer approves it, the developer takes the secret, and a real relying party signs a person in with it.
 */
describe('in Chromium: register an app, approve it, sign in to it', () => {
  let op: TestProvider;
  let chrome: Awaited<ReturnType<typeof startChromium>>;
  let rpPort: number;
  let rp: { url: string; close(): Promise<void> } | undefined;

  before(async function () {
    chrome = await startChromium(this);
    op = await startProvider();
    rpPort = await freePort();
  });
  after(async () => {
    await rp?.close();
    await chrome?.close();
    await op?.stop();
  });

  it('developer registers and submits, reviewer approves, the app signs a person in', async function () {
    this.timeout(60_000);
    const developer = await chrome.browser.newPage({ viewport: { width: 390, height: 844 } });
    await developer.goto(`${op.local}/developer`);
    await signInWithAuthenticator(developer, 'dewi.lestari');
    await developer.getByRole('link', { name: 'Daftarkan aplikasi baru' }).click();
    await developer.locator('#f-name').fill('Antrean Puskesmas');
    await developer.locator('#f-description').fill('Antrean pasien puskesmas untuk petugas loket');
    await developer.locator('#f-kind').selectOption('khusus');
    await developer.locator('#f-environment').selectOption('development');
    await developer.locator('#f-level').selectOption('1');
    await developer.locator('#f-client_type').selectOption('confidential');
    await developer.locator('#f-token_endpoint_auth_method').selectOption('client_secret_basic');
    await developer.locator('#f-redirect_uris').fill(`http://localhost:${rpPort}/callback`);
    await developer.locator('#f-post_logout_redirect_uris').fill(`http://localhost:${rpPort}/`);
    await developer.locator('#f-scope_profile').check();
    await developer.locator('#f-purpose_profile').fill('Menampilkan nama petugas loket');
    await developer.locator('#f-responsible_name').fill('Dewi Lestari');
    await developer.locator('#f-responsible_email').fill('dewi.lestari@contoh.go.id');
    await developer.locator('form.registration button[type=submit]').click();
    await developer.locator('form[action$="/ajukan"] button').click();
    const appUrl = developer.url();
    const clientId = decodeURIComponent(appUrl.split('/aplikasi/')[1]!.split(/[/?#]/)[0]!);
    expect((await op.satu.knex('apps').where({ client_id: clientId }).first()).status, 'it waits for review').to.equal('submitted');

    const reviewer = await (await chrome.browser.newContext()).newPage();
    await reviewer.goto(`${op.local}/admin/aplikasi`);
    await signInWithAuthenticator(reviewer, 'siti.rahmawati');
    await reviewer.getByRole('link', { name: 'Antrean Puskesmas' }).click();
    await reviewer.locator('input[name=outcome][value=approved]').check();
    await reviewer.locator('#reason').fill('Data nama saja, sesuai kebutuhan loket');
    await reviewer.locator('form[action$="/keputusan"] button[type=submit]').click();
    await reviewer.getByText('Antrean Puskesmas').first().waitFor();
    expect((await op.satu.knex('apps').where({ client_id: clientId }).first()).status, 'approved').to.equal('active');

    await developer.goto(appUrl);
    await developer.locator('form[action$="/rahasia"] button').click();
    const secret = (await developer.locator('#client-secret').innerText()).trim();
    expect(secret).to.have.length(43);

    const [client] = clientsFileSchema.parse([
      { client_id: clientId, client_name: 'Antrean Puskesmas', client_secret: secret, redirect_uris: [`http://localhost:${rpPort}/callback`], post_logout_redirect_uris: [`http://localhost:${rpPort}/`], scopes: ['openid', 'profile'] },
    ]);
    rp = await startDemoApp({ issuer: op.issuer, client: client!, port: rpPort, otherApps: [], render: op.satu.render, logger: op.satu.logger });

    const staff = await (await chrome.browser.newContext()).newPage();
    await staff.goto(`${rp.url}/`);
    await staff.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await staff.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill('rudi.hartono');
    await staff.getByLabel('Kata sandi').fill('Demo-2026');
    await staff.getByRole('button', { name: 'Masuk' }).click();
    await staff.getByRole('button', { name: 'Lanjutkan' }).click();
    await staff.getByText('Anda masuk sebagai').waitFor();
    expect(await staff.content()).to.contain(clientId);
  });
});
