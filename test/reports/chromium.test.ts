import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { addVirtualAuthenticator, shoot, signInAs } from '../support/chromium.ts';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';

/** axe-core's browser bundle, injected with `page.evaluate` (the pages' CSP blocks inline script tags). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's critical and serious violations on the page as it is now, one line each. */
const axeViolations = async (page: Page): Promise<string[]> => {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
};

const PEOPLE: [string, string][] = [
  ['r-1', 'DINKES'],
  ['r-2', 'DINKES'],
  ['r-3', 'DISDIK'],
  ['r-4', 'KEC-SUKAMAJU'],
  ['r-5', 'DISKOMINFO'],
];

/** In Chromium, issue 13 §2: the auditor reads the usage reports; the charts render and a phone never scrolls sideways. */
describe('in Chromium: the usage reports', () => {
  let world: DemoWorld;

  before(async function () {
    world = await startDemoWorld(this);
    const { op } = world;
    // A little traffic of other people, so the charts have bars: accounts of several agencies signing in to the demo apps.
    for (const [sub, agency] of PEOPLE) {
      await op.satu.knex('accounts').insert({ sub, directory_id: `dir-${sub}`, username: sub, status: 'active', profile: JSON.stringify({ username: sub, name: sub, agencyCode: agency }), created_at: new Date().toISOString(), last_login_at: new Date().toISOString() });
    }
    for (let i = 0; i < 30; i++) {
      const [sub] = PEOPLE[i % PEOPLE.length]!;
      const clientId = i % 3 ? 'demo-simpeg' : 'demo-sppd';
      await op.satu.audit.record({ event: 'signin.success', actor: sub, subject: sub, clientId, details: { amr: ['pwd'], acr: `urn:satu-akun:loa:${(i % 2) + 1}` } });
      if (i % 4 === 0) await op.satu.audit.record({ event: 'signin.failure', actor: sub, subject: sub, clientId, details: { reason: i % 8 ? 'invalid_credentials' : 'throttled' } });
    }
  });
  after(() => world?.close());

  it('renders the charts as named SVG images, fits a 390 px screen, and prints the monthly report as A4', async function () {
    this.timeout(120_000);
    const { op, chrome } = world;
    const context = await chrome.browser.newContext();
    const page: Page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await addVirtualAuthenticator(context, page);
    // The console is level 3: a first passkey (the password is enough for it), then the reports.
    await page.goto(`${op.local}/akun/keamanan/passkey`);
    await signInAs(page, 'bambang.susilo');
    await page.getByLabel('Nama perangkat (misalnya: Laptop kantor)').fill('Laptop kantor');
    await page.getByRole('button', { name: 'Daftarkan passkey' }).click();
    await page.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();
    await page.goto(`${op.local}/admin/laporan`);
    await page.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).click();
    await page.getByRole('heading', { name: 'Laporan penggunaan', level: 1 }).waitFor();

    const titles = await page.locator('svg[role="img"] > title').allTextContents();
    expect(titles).to.include.members(['Masuk per aplikasi', 'Masuk per perangkat daerah', 'Pegawai aktif per aplikasi']);
    expect(await page.getByRole('img', { name: 'Masuk per aplikasi' }).count()).to.equal(1);
    expect(await page.locator('#by-app tbody tr').count()).to.be.at.least(2);

    expect(await axeViolations(page)).to.deep.equal([]);

    await page.setViewportSize({ width: 390, height: 900 });
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
    expect(await axeViolations(page)).to.deep.equal([]);
    await page.goto(`${op.local}/admin/laporan/bulanan`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(390);
    expect(await axeViolations(page)).to.deep.equal([]);

    await shoot(page, `${op.local}/admin/laporan`, 'laporan');
    await shoot(page, `${op.local}/admin/laporan/bulanan`, 'laporan-bulanan');
    const dir = process.env.SCREENSHOTS_DIR;
    if (dir) {
      // The printed A4 document: the console's chrome left out, one page of headline figures, then one per agency.
      mkdirSync(dir, { recursive: true });
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.emulateMedia({ media: 'print' });
      await page.screenshot({ path: join(dir, 'laporan-bulanan-print.png'), fullPage: true });
      await page.pdf({ path: join(dir, 'laporan-bulanan-print.pdf'), format: 'A4' });
      // And the server's own PDF of the same report (pdfkit).
      const res = await context.request.get(`${op.local}/admin/laporan/bulanan.pdf`);
      writeFileSync(join(dir, 'laporan-bulanan-server.pdf'), await res.body());
      await page.emulateMedia({ media: 'screen' });
    }
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).to.equal(false);
  });
});
