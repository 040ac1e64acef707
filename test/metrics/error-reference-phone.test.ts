import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { shoot, startChromium } from '../support/chromium.ts';
import { startProvider, type TestProvider } from '../support/provider.ts';

/** The longest id a proxy may send (64 characters, no spaces), as the reference a person reads on a phone. */
const LONGEST = `nginx-${'0123456789abcdef'.repeat(4)}`.slice(0, 64);

describe('the error page reference on a phone (headless Chromium)', () => {
  let op: TestProvider;
  let chromium: { browser: Browser; close(): Promise<void> } | undefined;
  before(async function () {
    chromium = await startChromium(this);
    op = await startProvider({ trustProxy: true });
  });
  after(async () => {
    await chromium?.close();
    await op?.stop();
  });

  for (const [label, headers] of [['a generated id', {}], ["a proxy's 64-character id", { 'x-request-id': LONGEST }]] as const) {
    it(`shows ${label} without a horizontal scroll at 390 px`, async () => {
      const context = await chromium!.browser.newContext({ viewport: { width: 390, height: 844 }, extraHTTPHeaders: headers });
      const page = await context.newPage();
      const res = await page.goto(`${op.local}/tidak-ada`);
      expect(res?.status()).to.equal(404);
      const reqId = res!.headers()['x-request-id']!;
      expect(await page.locator('.reference').textContent()).to.contain(reqId);
      if ('x-request-id' in headers) expect(reqId).to.equal(LONGEST);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, 'horizontal scroll in px').to.equal(0);
      await shoot(page, `${op.local}/tidak-ada`, `error-reference-${'x-request-id' in headers ? 'proxy' : 'generated'}`);
      await context.close();
    });
  }
});
