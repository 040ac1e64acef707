import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { verifyFile } from '../../src/audit/file-verify.ts';
import { addVirtualAuthenticator, shoot, signInAs } from '../support/chromium.ts';
import { startDemoWorld, type DemoWorld } from '../support/demo-world.ts';

/** axe-core's browser bundle, injected with `page.evaluate` (the pages' CSP blocks inline script tags). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Today as a calendar date in WIB (the quick start's regency zone). */
const todayWib = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

/**
 * In Chromium, on the quick start (issue 13 "Done when"): the auditor bambang.susilo finds today's sign-ins of one
 * person, opens a record, downloads the filtered records and the file verifies offline; no page scrolls sideways on a phone.
 */
describe('in Chromium: an auditor filters the audit trail, opens a record and exports it', () => {
  let world: DemoWorld;
  let dir: string;
  before(async function () {
    this.timeout(60_000);
    world = await startDemoWorld(this);
    dir = mkdtempSync(join(tmpdir(), 'satu-akun-viewer-walk-'));
  });
  after(async () => {
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Critical and serious axe-core violations of the page as it is now, one line each. */
  const axe = async (page: Page): Promise<string[]> => {
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
    return page.evaluate(async () => {
      const run = (window as unknown as { axe: { run(d: Document, o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
      const { violations } = await run.run(document, { resultTypes: ['violations'], rules: { 'label-content-name-mismatch': { enabled: true } } });
      return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
    });
  };

  /** At phone width nothing scrolls sideways, and at both widths axe-core finds no serious problem. */
  const noSideways = async (page: Page) => {
    await page.setViewportSize({ width: 390, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), page.url()).to.be.at.most(390);
    expect(await axe(page), `${page.url()} at 390 px`).to.deep.equal([]);
    await page.setViewportSize({ width: 1366, height: 900 });
    expect(await axe(page), `${page.url()} at 1366 px`).to.deep.equal([]);
  };

  it('bambang.susilo finds dewi.lestari\'s sign-ins of today, opens one, exports them and the export verifies', async function () {
    this.timeout(90_000);
    const { op, chrome, demos } = world;
    // Dewi signs in to a demo app: today's record to find.
    const dewiContext = await chrome.browser.newContext();
    const dewi = await dewiContext.newPage();
    dewi.setDefaultTimeout(8000);
    await dewi.goto(`${demos[0]!.url}/login`);
    await signInAs(dewi, 'dewi.lestari');
    await dewi.getByRole('button', { name: /Lanjutkan|Setuju|Izinkan/ }).click();
    await dewi.getByText('Anda masuk sebagai').first().waitFor();

    // The console is level 3: the auditor's first passkey, then the console with it.
    const context = await chrome.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    await addVirtualAuthenticator(context, page);
    await page.goto(`${op.local}/akun/keamanan/passkey`);
    await signInAs(page, 'bambang.susilo');
    await page.getByLabel('Nama perangkat (misalnya: Laptop kantor)').fill('Laptop Inspektorat');
    await page.getByRole('button', { name: 'Daftarkan passkey' }).click();
    await page.getByRole('heading', { name: 'Simpan kode pemulihan Anda' }).waitFor();
    await page.goto(`${op.local}/admin`);
    await page.getByRole('button', { name: 'Gunakan passkey atau kunci keamanan' }).click();
    await page.getByRole('link', { name: 'Jejak audit' }).click();
    await page.getByRole('heading', { name: 'Jejak audit', level: 1 }).waitFor();

    await page.getByLabel('Pegawai yang bersangkutan (nama pengguna)').fill('dewi.lestari');
    await page.getByLabel('Jenis kejadian').selectOption('signin.*');
    await page.getByLabel('Dari tanggal').fill(todayWib());
    await page.getByLabel('Sampai tanggal').fill(todayWib());
    await page.getByRole('button', { name: 'Tampilkan' }).click();
    await page.locator('#records tbody tr').first().waitFor();
    expect(page.url()).to.contain('subject=dewi.lestari').and.contain('event=signin.*');
    const rows = await page.locator('#records tbody tr').allTextContents();
    expect(rows.length).to.be.at.least(1);
    for (const row of rows) expect(row).to.contain('Berhasil masuk').and.contain('Dewi Lestari (Dinas Kesehatan)');
    await noSideways(page);
    const listUrl = page.url();
    await shoot(page, listUrl, 'admin-audit');

    await page.locator('#records tbody tr a').first().click();
    await page.getByRole('heading', { name: /^Catatan audit \d+$/ }).waitFor();
    expect(await page.locator('#recomputes').textContent()).to.contain('cocok');
    await noSideways(page);
    await shoot(page, page.url(), 'admin-audit-catatan');

    // An administrative change reads as a difference (recorded as the agencies page does).
    const saved = await op.satu.audit.record({ event: 'agency.saved', actor: 'system', subject: 'agency:DINKES', clientId: 'satu-akun-admin', ip: '127.0.0.1', details: { agency: 'DINKES', before: { name: 'Dinas Kesehatan', parent: null, active: true }, after: { name: 'Dinas Kesehatan dan Keluarga Berencana', parent: 'SETDA', active: true } } });
    await page.goto(`${op.local}/admin/audit/${saved.seq}`);
    expect(await page.locator('#changes tbody tr').allTextContents()).to.have.length(2);
    await noSideways(page);
    await shoot(page, page.url(), 'admin-audit-perubahan');

    await page.goto(listUrl);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Unduh JSON Lines' }).click()]);
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const verified = await verifyFile(file);
    expect(verified.problem).to.equal(undefined);
    expect(verified.count).to.equal(rows.length);

    await page.goto(`${op.local}/admin/audit/pemeriksaan`);
    await page.getByRole('button', { name: 'Periksa sekarang' }).click();
    await op.satu.chainVerifier.idle();
    await page.goto(`${op.local}/admin/audit/pemeriksaan`);
    expect(await page.locator('#chain-last').textContent()).to.match(/^Utuh: \d+ catatan diperiksa/);
    await noSideways(page);
    await shoot(page, page.url(), 'admin-audit-pemeriksaan');
  });
});
