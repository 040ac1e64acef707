import { join } from 'node:path';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { addVirtualAuthenticator, shoot, signInAs, startChromium } from '../support/chromium.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

const PHONE_UA = 'Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';
const SHOTS = process.env.SCREENSHOTS_DIR;
const signIn = signInAs;

/** In real browsers: a person ends another of their own sessions; an administrator suspends a person, who is signed out. */
describe('in Chromium: sessions and account states', () => {
  let op: TestProvider;
  let chrome: Awaited<ReturnType<typeof startChromium>>;
  const contexts: BrowserContext[] = [];
  const newPage = async (userAgent?: string) => {
    const context = await chrome.browser.newContext(userAgent ? { userAgent } : {});
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    return page;
  };

  before(async function () {
    chrome = await startChromium(this);
    op = await startProvider();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await chrome?.close();
    await op?.stop();
  });

  it('a person sees their sessions in words and ends the one on their phone', async () => {
    const phone = await newPage(PHONE_UA);
    await phone.goto(`${op.local}/akun`);
    await signIn(phone, 'yanti.pakpahan');
    await phone.getByRole('heading', { name: 'Akun saya' }).waitFor();

    const desk = await newPage();
    await desk.goto(`${op.local}/akun/sesi`);
    await signIn(desk, 'yanti.pakpahan');
    await desk.getByRole('heading', { name: 'Sesi masuk' }).waitFor();
    expect(await desk.locator('#count').textContent()).to.equal('2 sesi aktif');
    const phoneItem = desk.locator('li.session:not(.current)');
    expect(await phoneItem.locator('h3').textContent()).to.contain('Chrome 120').and.contain('Android 13').and.contain('(ponsel)');
    expect(await desk.locator('li.session.current .badge').textContent()).to.equal('Peramban ini');
    await shoot(desk, `${op.local}/akun/sesi`, 'akun-sesi');

    await phoneItem.getByRole('button', { name: 'Akhiri sesi ini' }).click();
    await desk.getByText('Sesi telah diakhiri. Peramban itu harus masuk lagi.').waitFor();
    expect(await desk.locator('#count').textContent()).to.equal('1 sesi aktif');

    // The phone is signed out: its next page asks for the password again.
    await phone.goto(`${op.local}/akun`);
    await phone.getByLabel('Kata sandi').waitFor();
    await shoot(desk, `${op.local}/akun`, 'akun');
  });

  it('an administrator suspends a person from the console, and the person is signed out at once', async () => {
    const person = await newPage(PHONE_UA);
    await person.goto(`${op.local}/akun`);
    await signIn(person, 'rudi.hartono');
    await person.getByRole('heading', { name: 'Akun saya' }).waitFor();

    // The console is level 3: the administrator first adds a passkey (the password is enough for a first one).
    const admin = await newPage();
    await addVirtualAuthenticator(admin.context(), admin);
    await admin.goto(`${op.local}/akun/keamanan/passkey`);
    await signIn(admin, 'andi.wijaya');
    await admin.getByLabel('Nama perangkat (misalnya: Laptop kantor)').fill('Laptop Diskominfo');
    await admin.getByRole('button', { name: 'Daftarkan passkey' }).click();
    await admin.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();

    await admin.goto(`${op.local}/admin/orang?login=rudi.hartono`);
    await admin.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).click();
    await admin.getByRole('heading', { name: 'Rudi Hartono' }).waitFor();
    expect(await admin.locator('#state').textContent()).to.contain('Aktif');
    expect(await admin.locator('#sessions-count').textContent()).to.equal('1 sesi aktif');
    await shoot(admin, `${op.local}/admin/orang/sesi?login=rudi.hartono`, 'admin-sesi');
    await shoot(admin, `${op.local}/admin/orang?login=rudi.hartono`, 'admin-orang');

    await admin.getByRole('link', { name: 'Ubah status akun' }).click();
    await admin.getByRole('heading', { name: 'Ubah status akun Rudi Hartono' }).waitFor();
    await shoot(admin, `${op.local}/admin/orang/status?login=rudi.hartono`, 'admin-status');
    await admin.getByRole('radio', { name: 'Tangguhkan' }).check();
    await admin.getByLabel('Alasan (wajib, minimal 10 karakter)').fill('Cuti di luar tanggungan negara, surat BKPSDM 12/2026');
    await admin.getByRole('button', { name: 'Simpan status akun' }).click();
    await admin.getByText('Akun Rudi Hartono ditangguhkan; semua sesinya telah diakhiri.').waitFor();
    expect(await admin.locator('#state').textContent()).to.contain('Ditangguhkan').and.contain('Cuti di luar tanggungan negara');

    // The person's browser is signed out, and signing in again says why and whom to ask.
    await person.goto(`${op.local}/akun`);
    await signIn(person, 'rudi.hartono');
    await person.getByText('Akun Anda ditangguhkan sementara di Satu Akun. Hubungi admin OPD Anda atau helpdesk Diskominfo.').waitFor();
    if (SHOTS) await person.screenshot({ path: join(SHOTS, 'login-suspended-id-390.png'), fullPage: true });

    await admin.getByRole('link', { name: 'Ubah status akun' }).click();
    await admin.getByRole('radio', { name: 'Aktifkan kembali' }).check();
    await admin.getByLabel('Alasan (wajib, minimal 10 karakter)').fill('Kembali bertugas per 1 Desember 2026');
    await admin.getByRole('button', { name: 'Simpan status akun' }).click();
    await admin.getByText('Akun Rudi Hartono aktif kembali.').waitFor();
    const events = (await op.satu.audit.list({ event: ['account.suspended', 'account.reinstated'] })).map((r) => [r.event, (r.details as { from: string }).from]);
    expect(events).to.deep.equal([
      ['account.reinstated', 'suspended'],
      ['account.suspended', 'active'],
    ]);
  });

  it("my account's own sign-out does not ask twice", async () => {
    const page = await newPage();
    await page.goto(`${op.local}/akun`);
    await signIn(page, 'dewi.lestari');
    await page.getByRole('heading', { name: 'Akun saya' }).waitFor();
    const seen: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) seen.push(new URL(frame.url()).pathname);
    });
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.waitForURL(`${op.local}/keluar`);
    await page.getByRole('heading', { name: 'Anda telah keluar' }).waitFor();
    // The confirmation page passed by on its own: no second question was left on screen.
    expect(await page.getByRole('button', { name: 'Ya, keluar' }).count()).to.equal(0);
    expect(seen, 'through the end-session confirmation').to.include('/session/end');
    await page.goto(`${op.local}/akun`);
    await page.getByLabel('Kata sandi').waitFor();
  });
});
