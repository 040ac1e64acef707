import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { serviceMissing } from './require-service.ts';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, for end-to-end tests (no browser download: playwright-core only drives it), with a
 * fresh temporary profile. The flags keep it from reaching for the network, which this machine does not have.
 */
export const startChromium = async (ctx: Context): Promise<{ browser: Browser; close(): Promise<void> }> => {
  if (!existsSync(CHROMIUM)) return serviceMissing(ctx, 'chromium', `${CHROMIUM} not found (Debian package chromium)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
    },
  };
};

/** Fills Satu Akun's sign-in form on `page` with a sample person's password. */
export const signInAs = async (page: Page, login: string, password = 'Demo-2026') => {
  await page.getByLabel('NIP, nama pengguna, atau e-mail dinas').fill(login);
  await page.getByLabel('Kata sandi').fill(password);
  await page.getByRole('button', { name: 'Masuk' }).click();
};

/** Gives a browser context a platform authenticator that says yes: passkeys without a person at the keyboard. */
export const addVirtualAuthenticator = async (context: BrowserContext, page: Page) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
};

/**
 * With `SCREENSHOTS_DIR` set, keeps pictures of the page at `url`: 390 px and 1366 px wide, in Bahasa Indonesia and
 * English, then leaves the page at `url` in Bahasa Indonesia. Without it, does nothing.
 */
export const shoot = async (page: Page, url: string, name: string) => {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const withLang = (lang: string) => `${url}${url.includes('?') ? '&' : '?'}lang=${lang}`;
  for (const lang of ['id', 'en']) {
    for (const width of [390, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(withLang(lang));
      await page.screenshot({ path: join(dir, `${name}-${lang}-${width}.png`), fullPage: true });
    }
  }
  await page.goto(withLang('id'));
};
