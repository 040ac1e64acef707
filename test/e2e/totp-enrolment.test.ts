import { expect } from 'chai';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';

/**
 * In a real browser: the newcomer's walk with the demo apps, enrolling TOTP from the key on the enrolment page when
 * the level-2 app is opened, then continuing without the password.
 */
describe('in Chromium: TOTP enrolment on demand (quick-start demo apps)', () => {
  let world: DemoWorld;
  let page: Page;

  before(async function () {
    world = await startDemoWorld(this);
    page = await world.chrome.browser.newPage({ viewport: { width: 390, height: 844 } });
  });
  after(() => world?.close());

  it('signs in at level 1, enrols at the level-2 app, and shows acr level 2 in the app', async () => {
    const [simpeg, sppd] = world.demos;
    await page.goto(`${simpeg!.url}/`);
    await page.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await page.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill('yanti.pakpahan');
    await page.getByLabel('Kata sandi').fill('Demo-2026');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('button', { name: 'Lanjutkan' }).click();
    await page.getByText('Anda masuk sebagai').waitFor();

    await page.goto(`${sppd!.url}/`);
    await page.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await page.getByRole('heading', { name: 'Aktifkan verifikasi dua langkah' }).waitFor();
    expect(await page.getByRole('img', { name: 'Kode QR untuk aplikasi autentikator' }).isVisible()).to.equal(true);
    const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
    await page.getByLabel('Kode 6 digit').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Aktifkan' }).click();
    expect(await page.locator('#recovery-codes code').count()).to.equal(10);
    await page.getByRole('button', { name: 'Sudah saya simpan, lanjutkan' }).click();
    await page.getByRole('button', { name: 'Lanjutkan' }).click();
    await page.getByText('Anda masuk sebagai').waitFor();
    expect(await page.content()).to.contain('urn:satu-akun:loa:2');
    expect(page.url()).to.equal(`${sppd!.url}/`);
  });
});
