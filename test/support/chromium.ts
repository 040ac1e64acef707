import { existsSync } from 'node:fs';
import type { Context } from 'mocha';
import { chromium, type Browser } from 'playwright-core';
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
