import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { addVirtualAuthenticator, shoot, signInAs } from '../support/chromium.ts';
import type { TestProvider } from '../support/provider.ts';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';

/**
 * In real browsers, the delegation of issue 10: the administrator appoints an agency administrator in the console,
 * who gives an app role to a person of their agency, who then finds the role in the demo app's claims.
 */
describe('in Chromium: appointing an agency administrator who assigns an app role', () => {
  let world: DemoWorld;
  let op: TestProvider;
  let chrome: DemoWorld['chrome'];
  let demos: DemoWorld['demos'] = [];

  /** A fresh browser with a passkey for `login` (the console is level 3; the password is enough for a first passkey). */
  const withPasskey = async (login: string): Promise<Page> => {
    const context = await chrome.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    await addVirtualAuthenticator(context, page);
    await page.goto(`${op.local}/akun/keamanan/passkey`);
    await signInAs(page, login);
    await page.getByLabel('Nama perangkat (misalnya: Laptop kantor)').fill('Laptop kantor');
    await page.getByRole('button', { name: 'Daftarkan passkey' }).click();
    await page.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();
    return page;
  };

  before(async function () {
    world = await startDemoWorld(this);
    ({ op, chrome, demos } = world);
  });
  // Closing the browser closes every context the test opened.
  after(() => world?.close());

  it('andi appoints rudi for DISDIK, rudi gives irfan the operator role in Demo SIMPEG, irfan sees it in the app', async function () {
    this.timeout(60_000); // three people, two consoles and the demo app in one walk
    const andi = await withPasskey('andi.wijaya');
    await andi.goto(`${op.local}/admin/peran`);
    await andi.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).click();
    await andi.getByRole('heading', { name: 'Peran global' }).waitFor();
    await andi.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill('rudi.hartono');
    await andi.getByLabel('Peran', { exact: true }).selectOption('agencyAdministrator');
    await andi.getByLabel('Perangkat daerah (hanya untuk admin OPD)').selectOption('DISDIK');
    await andi.getByLabel('Alasan (wajib, minimal 10 karakter; misalnya nomor SK)').fill('SK Kepala Dinas Pendidikan 800/114/2026');
    await andi.getByRole('button', { name: 'Beri peran' }).click();
    await andi.getByText('Peran diberikan kepada rudi.hartono.').waitFor();
    expect(await andi.locator('#grants').textContent()).to.contain('rudi.hartono').and.contain('Admin OPD (DISDIK)');
    await shoot(andi, `${op.local}/admin/peran`, 'admin-peran');
    await shoot(andi, `${op.local}/admin/instansi`, 'admin-instansi');

    const rudi = await withPasskey('rudi.hartono');
    await rudi.goto(`${op.local}/admin/peran-aplikasi`);
    await rudi.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).click();
    await rudi.getByRole('link', { name: 'Demo SIMPEG' }).click();
    await rudi.getByRole('heading', { name: 'Peran di Demo SIMPEG' }).waitFor();
    await rudi.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill('irfan.koto');
    await rudi.getByLabel('Peran', { exact: true }).selectOption('operator');
    await rudi.getByLabel('Alasan (wajib, minimal 10 karakter; misalnya nomor SK)').fill('Operator data guru SD, surat tugas 12/2026');
    await rudi.getByRole('button', { name: 'Beri peran aplikasi' }).click();
    await rudi.getByText('Peran diberikan.').waitFor();
    expect(await rudi.locator('#holders').textContent()).to.contain('irfan.koto').and.contain('operator').and.contain('Berlaku');
    await shoot(rudi, rudi.url(), 'peran-aplikasi');
    // Outside his agency, the console refuses him.
    await rudi.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill('yanti.pakpahan');
    await rudi.getByLabel('Alasan (wajib, minimal 10 karakter; misalnya nomor SK)').fill('Bukan pegawai Dinas Pendidikan');
    await rudi.getByRole('button', { name: 'Beri peran aplikasi' }).click();
    await rudi.getByText('Sebagai admin OPD, Anda hanya dapat memberi peran kepada pegawai perangkat daerah Anda.').waitFor();

    const irfanContext = await chrome.browser.newContext();
    const irfan = await irfanContext.newPage();
    irfan.setDefaultTimeout(8000);
    const [simpeg] = demos;
    await irfan.goto(`${simpeg!.url}/login`);
    await signInAs(irfan, 'irfan.koto');
    await irfan.getByRole('button', { name: /Lanjutkan|Setuju|Izinkan/ }).click();
    await irfan.getByRole('heading', { name: 'Demo SIMPEG' }).waitFor();
    const roles = irfan.locator('table.claims tr', { has: irfan.locator('th', { hasText: /^roles$/ }) }).first();
    expect(await roles.locator('td').textContent()).to.equal('["operator"]');

    const events = (await op.satu.audit.list({ event: ['role.granted', 'app_role.granted'] })).map((r) => [r.event, r.client_id]);
    expect(events).to.deep.equal([
      ['app_role.granted', 'demo-simpeg'],
      ['role.granted', 'satu-akun-admin'],
    ]);
  });
});
