import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';

/** In a real browser with a virtual authenticator (Chrome DevTools Protocol `WebAuthn` domain). */
describe('in Chromium: a passkey as the second factor', () => {
  let world: DemoWorld;
  let page: Page;

  before(async function () {
    world = await startDemoWorld(this);
    page = await world.chrome.browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
  });
  after(() => world?.close());

  const signInWithPassword = async (appUrl: string) => {
    await page.goto(`${appUrl}/`);
    await page.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await page.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill('bambang.susilo');
    await page.getByLabel('Kata sandi').fill('Demo-2026');
    await page.getByRole('button', { name: 'Masuk' }).click();
  };

  it('enrols a passkey at a level-2 app, then signs in with it', async () => {
    const sppd = world.demos[1]!;
    await signInWithPassword(sppd.url);
    await page.getByRole('heading', { name: 'Pakai passkey atau kunci keamanan' }).waitFor();
    await page.getByLabel('Nama perangkat (misalnya: Laptop kantor)').fill('Laptop kantor');
    await page.getByRole('button', { name: 'Daftarkan passkey' }).click();
    await page.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();
    expect(await page.locator('#recovery-codes code').count()).to.equal(10);
    await page.getByRole('button', { name: 'Sudah saya simpan, lanjutkan' }).click();
    await page.getByRole('button', { name: 'Lanjutkan' }).click();
    await page.getByText('Anda masuk sebagai').waitFor();
    expect(await page.content()).to.contain('urn:satu-akun:loa:2').and.contain('"hwk"');

    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByRole('button', { name: 'Ya, keluar' }).click();
    await signInWithPassword(sppd.url);
    await page.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).waitFor();
    expect(await page.getByLabel('Kode 6 digit').count(), 'no code form: this person has only a passkey').to.equal(0);
    await page.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).click();
    await page.getByText('Anda masuk sebagai').waitFor();
    expect(await page.content()).to.contain('"hwk"');

    const enrolled = await world.op.satu.audit.list({ event: 'mfa.webauthn_enrolled' });
    expect(enrolled.map((r) => (r.details as { name: string }).name)).to.deep.equal(['Laptop kantor']);
    const verified = await world.op.satu.audit.list({ event: 'mfa.verified' });
    expect(verified.some((r) => (r.details as { method: string }).method === 'webauthn')).to.equal(true);
  });
});
