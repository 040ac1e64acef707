import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startChromium } from '../support/chromium.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

/** In a real browser with a virtual authenticator: a passkey added and removed on my security page. */
describe('in Chromium: managing a passkey on my security page', () => {
  let op: TestProvider;
  let chrome: Awaited<ReturnType<typeof startChromium>>;
  let page: Page;

  before(async function () {
    chrome = await startChromium(this);
    op = await startProvider();
    page = await chrome.browser.newPage();
    page.setDefaultTimeout(8000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
  });
  after(async () => {
    await chrome?.close();
    await op?.stop();
  });

  it('adds a first passkey with the password only, then removes it after proving it again', async () => {
    await page.goto(`${op.local}/akun/keamanan/passkey`);
    await page.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill('yanti.pakpahan');
    await page.getByLabel('Kata sandi').fill('Demo-2026');
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.getByRole('heading', { name: 'Tambah passkey atau kunci keamanan' }).waitFor();
    expect(await page.locator('#webauthn-unsupported').isVisible(), 'the no-WebAuthn note is hidden').to.equal(false);
    await page.getByLabel('Nama perangkat (misalnya: Laptop kantor)').fill('Laptop kecamatan');
    await page.getByRole('button', { name: 'Daftarkan passkey' }).click();
    // The first factor comes with recovery codes, shown once.
    await page.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();
    expect(await page.locator('#recovery-codes code').count()).to.equal(10);
    await page.getByRole('link', { name: 'Sudah saya simpan, kembali ke Keamanan akun' }).click();
    await page.getByRole('heading', { name: 'Keamanan akun' }).waitFor();
    expect(await page.locator('tr.passkey td.name').textContent()).to.equal('Laptop kecamatan');

    // Removing needs both factors again: the passkey itself, then the confirmation.
    await page.getByRole('link', { name: /^Hapus\W+Laptop kecamatan$/ }).click();
    await page.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).click();
    await page.getByRole('heading', { name: 'Hapus passkey "Laptop kecamatan"?' }).waitFor();
    expect(await page.locator('ul.consequences').textContent()).to.contain('Ini metode verifikasi dua langkah terakhir Anda');
    await page.getByRole('button', { name: 'Ya, hapus' }).click();
    await page.getByText('Passkey dihapus.').waitFor();
    expect(await page.locator('tr.passkey').count()).to.equal(0);

    const events = (await op.satu.audit.list({ event: ['mfa.webauthn_enrolled', 'mfa.webauthn_removed'] })).map((r) => [r.event, r.details, r.client_id]);
    expect(events).to.deep.equal([
      ['mfa.webauthn_removed', { name: 'Laptop kecamatan', lastFactor: true }, 'satu-akun-portal'],
      ['mfa.webauthn_enrolled', { name: 'Laptop kecamatan' }, 'satu-akun-portal'],
    ]);
  });
});
