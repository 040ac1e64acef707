import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { generate } from 'otplib';
import type { BrowserContext, Page } from 'playwright-core';
import { shoot, signInAs } from '../support/chromium.ts';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

/** Whether the page scrolls sideways at 320 px (issue 12 §4: no page may). */
const scrollsAt320 = async (page: Page) => {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: 320, height: 640 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(before);
  return width > 320;
};

/**
 * Pictures of the page as it is (a page shown once cannot be fetched again for `shoot`). The viewport is made as tall
 * as the page instead of a full-page capture: Chromium's full-page capture drops the touch emulation, so a phone's
 * picture would show the desktop order.
 */
const shootInPlace = async (page: Page, name: string, widths = [390, 1366]) => {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  const before = page.viewportSize()!;
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(dir, `${name}-${width}.png`) });
  }
  await page.setViewportSize(before);
};

/** The set-up page on a phone: the otpauth link leads, the key copies; returns the key as the clipboard got it. */
const setUpOnPhone = async (page: Page, labels: { open: string; copy: string; qr: string }) => {
  const link = page.getByRole('link', { name: labels.open });
  const href = (await link.getAttribute('href'))!;
  const shown = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
  expect(href).to.match(/^otpauth:\/\/totp\//);
  expect(new URL(href).searchParams.get('secret')).to.equal(shown);
  // First on the phone's screen: above the key and the QR code, and the first thing in the step.
  const top = async (selector: string) => (await page.locator(selector).boundingBox())!.y;
  expect(await top('#otpauth-link')).to.be.below(await top('#totp-secret'));
  expect(await top('#otpauth-link')).to.be.below(await top('img.qr'));
  expect(await page.getByRole('img', { name: labels.qr }).isVisible(), 'the QR code is still there').to.equal(true);
  // No keyboard over the instructions: nothing is focused when the page opens.
  expect(await page.evaluate(() => document.activeElement?.tagName)).to.equal('BODY');
  // The key's groups never break inside a group.
  const groups = await page.locator('#totp-secret span').evaluateAll((spans) => spans.map((s) => [s.textContent, getComputedStyle(s).whiteSpace, getComputedStyle(s).display]));
  expect(groups.length).to.equal(8);
  for (const [text, whiteSpace, display] of groups) expect([text!.length, whiteSpace, display]).to.deep.equal([4, 'nowrap', 'inline-block']);
  expect(await scrollsAt320(page), 'the set-up page scrolls sideways at 320 px').to.equal(false);

  await page.getByRole('button', { name: labels.copy }).click();
  await page.locator('#copy-status:not(:empty)').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).to.equal(shown);
  return copied;
};

/** The recovery-codes page: copy all, download a .txt, print only the sheet; all before "saved". */
const keepCodes = async (page: Page, labels: { copy: string; download: string; print: string; saved: RegExp; account: string }) => {
  const codes = (await page.locator('#recovery-codes code').allInnerTexts()).map((c) => c.trim());
  expect(codes).to.have.length(10);
  const buttons = await page.locator('#code-actions button').allInnerTexts();
  expect(buttons).to.deep.equal([labels.copy, labels.download, labels.print]);
  const below = async (a: string, b: string) => (await page.locator(a).boundingBox())!.y < (await page.locator(b).boundingBox())!.y;
  expect(await below('#code-actions', `text=${labels.saved.source.replace(/\\/g, '')}`), 'the actions come before "saved"').to.equal(true);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: labels.download }).click()]);
  expect(download.suggestedFilename()).to.match(/\.txt$/);
  const file = await readFile((await download.path())!, 'utf8');
  const lines = file.split(/\r?\n/);
  expect(lines.filter((l) => /^[a-z0-9]{5}-[a-z0-9]{5}$/.test(l))).to.deep.equal(codes);
  expect(file).to.contain(labels.account);

  await page.getByRole('button', { name: labels.copy }).click();
  await page.locator('#copy-status:not(:empty)').waitFor();
  expect((await page.evaluate(() => navigator.clipboard.readText())).split('\n')).to.deep.equal(codes);

  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.print = () => void ((window as unknown as { printed: number }).printed += 1);
  });
  await page.getByRole('button', { name: labels.print }).click();
  expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).to.equal(1);
  // Printed: the codes and a title, nothing else of the page.
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('#recovery-sheet').isVisible()).to.equal(true);
  expect(await page.locator('#recovery-sheet .print-only').first().isVisible()).to.equal(true);
  for (const hidden of ['h1', '#code-actions', 'header.top', 'footer']) expect(await page.locator(hidden).first().isVisible(), hidden).to.equal(false);
  if (process.env.SCREENSHOTS_DIR) await page.screenshot({ path: join(process.env.SCREENSHOTS_DIR, `print-${labels.account}.png`) });
  await page.emulateMedia({ media: 'screen' });
  expect(await page.locator('#recovery-sheet .print-only').first().isVisible(), 'the print title is for paper only').to.equal(false);
  expect(await scrollsAt320(page), 'the recovery-codes page scrolls sideways at 320 px').to.equal(false);
  return codes;
};

/**
 * Issue 12 §2 in a phone-sized Chromium with touch: a newcomer sets up an authenticator on the phone itself (the
 * otpauth link first, the key copied, no QR code to scan), then keeps the recovery codes (copy, .txt, print) — at
 * sign-in and on my security page.
 */
describe('in Chromium on a phone: authenticator set-up without a second device, and keeping the recovery codes', () => {
  let world: DemoWorld;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    world = await startDemoWorld(this);
    context = await world.chrome.browser.newContext(PHONE);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    page = await context.newPage();
    page.setDefaultTimeout(8000);
  });
  after(() => world?.close());

  it('at sign-in to a level-2 app: enrols from the copied key, keeps the codes, continues to the app', async () => {
    const sppd = world.demos[1]!;
    await page.goto(`${sppd.url}/`);
    await page.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await signInAs(page, 'yanti.pakpahan');
    await page.getByRole('heading', { name: 'Aktifkan verifikasi dua langkah' }).waitFor();
    const key = await setUpOnPhone(page, { open: 'Buka di aplikasi autentikator', copy: 'Salin kunci', qr: 'Kode QR untuk aplikasi autentikator' });
    await shootInPlace(page, 'phone-setup-signin-id', [390]);

    await page.getByLabel('Kode 6 digit').fill(await generate({ secret: key }));
    await page.getByRole('button', { name: 'Aktifkan' }).click();
    await page.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();
    await keepCodes(page, { copy: 'Salin semua', download: 'Unduh .txt', print: 'Cetak', saved: /Sudah saya simpan, lanjutkan/, account: 'yanti.pakpahan' });
    await shootInPlace(page, 'phone-recovery-signin-id', [390]);

    await page.getByRole('button', { name: 'Sudah saya simpan, lanjutkan' }).click();
    await page.getByRole('button', { name: 'Lanjutkan' }).click();
    await page.getByText('Anda masuk sebagai').waitFor();
    expect(await page.content()).to.contain('urn:satu-akun:loa:2');
  });

  it('on my security page, in English: the same set-up and the same ways to keep the codes', async () => {
    await context.clearCookies();
    await page.goto(`${world.op.local}/?lang=en`); // the language is remembered in a cookie
    await page.goto(`${world.op.local}/akun/keamanan/autentikator`);
    await page.getByLabel('NIP, username, or official e-mail').fill('bambang.susilo');
    await page.getByLabel('Password').fill('Demo-2026');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    const key = await setUpOnPhone(page, { open: 'Open in authenticator app', copy: 'Copy key', qr: 'QR code for the authenticator app' });
    await shootInPlace(page, 'phone-setup-portal-en', [390]);

    await page.getByLabel('6-digit code').fill(await generate({ secret: key }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await keepCodes(page, { copy: 'Copy all', download: 'Download .txt', print: 'Print', saved: /I have saved them, back to Account security/, account: 'bambang.susilo' });
    await shootInPlace(page, 'phone-recovery-portal-en', [390]);
    await page.getByRole('link', { name: 'I have saved them, back to Account security' }).click();
    await page.getByRole('heading', { name: 'Account security' }).waitFor();
  });

  it('on a desktop with a mouse: the QR code comes first, the link after it; both pages in both languages', async () => {
    const desktop = await world.chrome.browser.newPage({ viewport: { width: 1366, height: 900 } });
    desktop.setDefaultTimeout(8000);
    const qrFirst = async () => {
      const top = async (selector: string) => (await desktop.locator(selector).boundingBox())!.y;
      expect(await desktop.evaluate(() => matchMedia('(hover: hover) and (pointer: fine)').matches), 'a mouse').to.equal(true);
      expect(await top('img.qr')).to.be.below(await top('#otpauth-link'));
      expect(await desktop.evaluate(() => document.activeElement?.tagName)).to.equal('BODY');
    };
    // At sign-in, in Bahasa Indonesia.
    await desktop.goto(`${world.demos[1]!.url}/`);
    await desktop.getByRole('link', { name: 'Masuk dengan Satu Akun' }).click();
    await signInAs(desktop, 'dewi.lestari');
    await desktop.getByRole('heading', { name: 'Aktifkan verifikasi dua langkah' }).waitFor();
    const setupUrl = desktop.url();
    await qrFirst();
    await shoot(desktop, setupUrl, 'setup-signin');
    await desktop.getByLabel('Kode 6 digit').fill(await generate({ secret: (await desktop.locator('#totp-secret').innerText()).replace(/\s/g, '') }));
    await desktop.getByRole('button', { name: 'Aktifkan' }).click();
    await desktop.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();
    expect(await desktop.locator('#code-actions button').count()).to.equal(3);
    await shootInPlace(desktop, 'recovery-signin-id');

    // On my security page, in English.
    await desktop.context().clearCookies();
    await desktop.goto(`${world.op.local}/?lang=en`);
    await desktop.goto(`${world.op.local}/akun/keamanan/autentikator`);
    await desktop.getByLabel('NIP, username, or official e-mail').fill('andi.wijaya');
    await desktop.getByLabel('Password').fill('Demo-2026');
    await desktop.getByRole('button', { name: 'Sign in' }).click();
    await desktop.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    await qrFirst();
    await shoot(desktop, `${world.op.local}/akun/keamanan/autentikator`, 'setup-portal');
    await desktop.goto(`${world.op.local}/akun/keamanan/autentikator?lang=en`);
    await desktop.getByLabel('6-digit code').fill(await generate({ secret: (await desktop.locator('#totp-secret').innerText()).replace(/\s/g, '') }));
    await desktop.getByRole('button', { name: 'Turn on' }).click();
    await desktop.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await shootInPlace(desktop, 'recovery-portal-en');
    await desktop.close();
  });
});
