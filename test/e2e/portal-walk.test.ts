import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { shoot, signInAs } from '../support/chromium.ts';
import type { TestProvider } from '../support/provider.ts';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';

const PHONE_UA = 'Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';

/** In a real browser: the staff portal's launcher, withdrawing an app's data consent, downloading my data (issue 12 §1). */
describe('in Chromium: Aplikasi saya, Data saya, Aktivitas', () => {
  let world: DemoWorld;
  let op: TestProvider;
  let chrome: DemoWorld['chrome'];
  let demos: DemoWorld['demos'] = [];
  const newPage = async (): Promise<Page> => {
    const context = await chrome.browser.newContext({ userAgent: PHONE_UA, viewport: { width: 390, height: 844 }, acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    return page;
  };

  before(async function () {
    world = await startDemoWorld(this);
    ({ op, chrome, demos } = world);
  });
  // Closing the browser closes every context the test opened.
  after(() => world?.close());

  it('from the front page, a person signs in and finds the apps they may open', async () => {
    const page = await newPage();
    await page.goto(`${op.local}/`);
    await page.getByRole('link', { name: 'Buka aplikasi saya' }).click();
    await signInAs(page, 'andi.wijaya');
    await page.getByRole('heading', { name: 'Aplikasi saya', level: 1 }).waitFor();
    expect(page.url()).to.equal(`${op.local}/akun/aplikasi`);
    const simpeg = page.locator('li.app-tile[data-client-id="demo-simpeg"]');
    expect(await simpeg.locator('.app-agency').textContent()).to.equal('DISKOMINFO');
    const open = simpeg.getByRole('link', { name: /^Buka / });
    expect(await open.getAttribute('href')).to.match(/^http:\/\/localhost:\d+\/$/);
    // Only the apps of the access rules: not the one for holders of the verifikator role.
    expect(await page.locator('li.app-tile[data-client-id="app-roles"]').count()).to.equal(0);
    // The navigation marks where the person is; "Akun saya" is in the header; no horizontal scrolling on a phone.
    expect(await page.getByRole('navigation', { name: 'Menu Akun saya' }).getByRole('link', { name: 'Aplikasi' }).getAttribute('aria-current')).to.equal('page');
    expect(await page.locator('nav.zone').getByRole('link', { name: 'Akun saya' }).getAttribute('href')).to.equal('/akun');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
    const heights = await page.locator('nav.portal a').evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height));
    for (const h of heights) expect(h).to.be.at.least(44);
    await shoot(page, `${op.local}/akun/aplikasi`, 'akun-aplikasi');
    await shoot(page, `${op.local}/`, 'beranda');
  });

  it('withdraws an app’s data consent after reading what follows, and the app asks again next time', async () => {
    const page = await newPage();
    // First use of the demo app: the notice, agreed.
    await page.goto(`${op.local}/akun/aplikasi`);
    await signInAs(page, 'rudi.hartono');
    await page.locator('li.app-tile[data-client-id="demo-simpeg"]').getByRole('link', { name: /^Buka / }).click();
    await page.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await page.getByRole('button', { name: 'Lanjutkan' }).click();
    await page.getByText('Rudi Hartono').first().waitFor();

    await page.goto(`${op.local}/akun/data`);
    const app = page.locator('li.data-app[data-client-id="demo-simpeg"]');
    expect(await app.locator('td.purpose').first().textContent()).to.equal('Untuk mengenali Anda saat masuk');
    expect(await app.locator('td.purpose').nth(1).textContent()).to.contain('Menampilkan nama pegawai');
    await shoot(page, `${op.local}/akun/data`, 'akun-data');
    await app.getByRole('link', { name: /^Tarik persetujuan untuk / }).click();
    await page.getByRole('heading', { name: /^Tarik persetujuan untuk .*\?$/ }).waitFor();
    await shoot(page, page.url(), 'akun-data-tarik');
    await page.getByRole('button', { name: 'Tarik persetujuan' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).to.contain('telah ditarik');
    expect(await app.locator('.no-agreement').count()).to.equal(1);
    // Next use of the app: still signed in (no password), but the data notice again.
    await page.goto(`${op.local}/akun/aplikasi`);
    await page.locator('li.app-tile[data-client-id="demo-simpeg"]').getByRole('link', { name: /^Buka / }).click();
    await page.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await page.getByRole('button', { name: 'Lanjutkan' }).waitFor();
    expect(await page.getByLabel('Kata sandi').count()).to.equal(0);
  });

  it('downloads my data as a file and reads it as a page', async () => {
    const page = await newPage();
    await page.goto(`${op.local}/akun/data`);
    await signInAs(page, 'siti.rahmawati');
    await page.getByRole('heading', { name: 'Data saya', level: 1 }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Unduh (JSON)' }).click()]);
    expect(download.suggestedFilename()).to.match(/^satu-akun-data-saya-\d{4}-\d{2}-\d{2}\.json$/);
    const json = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { account: { username: string }; auditRecords: { records: unknown[] } };
    expect(json.account.username).to.equal('siti.rahmawati');
    expect(json.auditRecords.records.length).to.be.above(0);

    await page.getByRole('link', { name: 'Lihat sebagai halaman' }).click();
    await page.getByRole('heading', { name: 'Semua data saya', level: 1 }).waitFor();
    expect(await page.locator('#state').textContent()).to.equal('Aktif');
    await shoot(page, `${op.local}/akun/data/lengkap`, 'akun-data-lengkap');
    await shoot(page, `${op.local}/akun/aktivitas`, 'akun-aktivitas');
    await shoot(page, `${op.local}/akun/aktivitas/bukan-saya`, 'akun-bukan-saya');
    await shoot(page, `${op.local}/akun`, 'akun');
    await shoot(page, `${op.local}/akun/sesi`, 'akun-sesi');
    await shoot(page, `${op.local}/akun/keamanan`, 'akun-keamanan');

    await page.goto(`${op.local}/akun/aktivitas/bukan-saya`);
    await page.getByRole('button', { name: 'Keluarkan dari semua perangkat' }).click();
    await page.getByRole('heading', { name: 'Akun Anda sudah dikeluarkan dari semua perangkat' }).waitFor();
    await page.screenshot({ path: `${process.env.SCREENSHOTS_DIR ?? '/tmp'}/akun-bukan-saya-selesai-id-390.png`, fullPage: true });
  });
});
